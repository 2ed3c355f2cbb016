/**
 * The fixture scene as the web pages see it: `zhiwei detect` run on `fixtures/scene/job.json`
 * (plans, grids and zones imported, cases emitted), users and tokens made with the CLI, and the
 * real `zhiwei serve` on it. The officer is assigned grids WG-01-01 and WG-01-02.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from './cli.js';
import { cliDatabase, type CliDatabase } from './database.js';
import { serve, type ServeProcess } from './serve.js';

const job = fileURLToPath(new URL('../../fixtures/scene/job.json', import.meta.url));

/** The served scene. */
export interface WebScene {
  cli: CliDatabase;
  /** Bearer tokens by user: a reviewer `li.wei`, an officer `zhao.wei`, a supervisor `wang.fang`. */
  tokens: { reviewer: string; officer: string; supervisor: string };
  /** The running service (replaced by `restart`). */
  server: ServeProcess;
  /** Stops the service and waits for it to exit. */
  stop(): Promise<void>;
  /** Starts the service again on the same port. */
  start(): Promise<void>;
  close(): Promise<void>;
}

/** Detects the fixture scene into a fresh database named after `name`, adds the users and serves it. */
export async function openWebScene(name: string): Promise<WebScene> {
  const cli = await cliDatabase(name);
  const run = async (...args: string[]) => {
    const result = await runCli(args, undefined, cli.env);
    if (result.code !== 0) throw new Error(`zhiwei ${args.join(' ')} failed: ${result.stderr}`);
    return result.stdout.trim();
  };
  await run('detect', '--job', job, '--out', join(cli.dir, 'out'));
  await run('users', 'add', 'li.wei', '--role', 'reviewer');
  await run('users', 'add', 'zhao.wei', '--role', 'officer', '--grids', 'WG-01-01,WG-01-02');
  await run('users', 'add', 'wang.fang', '--role', 'supervisor');
  const tokens = { reviewer: await run('tokens', 'create', 'li.wei'), officer: await run('tokens', 'create', 'zhao.wei'), supervisor: await run('tokens', 'create', 'wang.fang') };
  const scene: WebScene = {
    cli, tokens, server: await serve(cli.env),
    stop: async () => {
      await scene.server.stop();
    },
    start: async () => {
      scene.server = await serve(cli.env, Number(new URL(scene.server.address).port));
    },
    close: async () => {
      if (scene.server.child.exitCode === null) await scene.server.stop();
      await cli.remove();
    },
  };
  return scene;
}
