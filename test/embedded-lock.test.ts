/**
 * End to end: the embedded database is one process's. A command run while `zhiwei serve` holds
 * the data folder is refused naming the service, which goes on unharmed; a lock a killed process
 * left is cleared; a second serve on a busy port fails before it opens (or creates) a database.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/test-support/cli.js';
import { serve } from '../src/test-support/serve.js';

let dir: string;
let env: Record<string, string>;
let lockFile: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'zhiwei-embedded-lock-'));
  // the embedded backend even where DATABASE_URL is set: the server backend takes no lock
  env = { ZHIWEI_DATA_DIR: join(dir, 'data'), DATABASE_URL: '' };
  lockFile = join(env.ZHIWEI_DATA_DIR, 'db.lock');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('one process on the embedded database', () => {
  it('clears the lock a killed process left, then runs the command', async () => {
    const pid = spawnSync(process.execPath, ['-e', '']).pid;
    await mkdir(env.ZHIWEI_DATA_DIR, { recursive: true });
    await writeFile(lockFile, JSON.stringify({ pid, command: 'zhiwei detect', started_at: new Date().toISOString(), hostname: hostname() }));
    const run = await runCli(['db', 'migrate'], undefined, env);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(new RegExp(`cleared a stale lock on the embedded database in .*: PID ${pid} \\(zhiwei detect\\) no longer runs`));
    expect(existsSync(lockFile)).toBe(false);
  }, 180_000);

  it('refuses a command while serve holds the folder, naming it, and a second serve on its port before any database', async () => {
    const server = await serve(env);
    try {
      const refused = await runCli(['webhooks', 'add', 'http://127.0.0.1:9/x'], undefined, env);
      expect(refused.code).toBe(5);
      expect(refused.stderr).toMatch(new RegExp(`^zhiwei: the embedded database in .* is in use by PID ${server.child.pid} \\(.*serve --port 0\\) since `));
      expect(refused.stderr).toMatch(/hint: stop it first, or use a PostgreSQL server with DATABASE_URL/);
      expect(await (await fetch(`${server.address}/readyz`)).json()).toEqual({ status: 'ready' });

      const fresh = join(dir, 'fresh');
      const port = new URL(server.address).port;
      const second = await runCli(['serve', '--port', port], undefined, { ...env, ZHIWEI_DATA_DIR: fresh });
      expect(second.code).toBe(5);
      expect(second.stderr).toBe(`zhiwei: port ${port} is in use (another zhiwei serve?)\n  hint: pass --port N (0 picks a free one), or stop what listens there\n`);
      expect(existsSync(fresh)).toBe(false);
    } finally {
      expect(await server.stop()).toBe(0);
    }
    expect(existsSync(lockFile)).toBe(false);
    // the refused command wrote nothing, and the folder opens once the service has let go
    expect((await runCli(['webhooks', 'list'], undefined, env)).stdout).toBe('no webhooks (zhiwei webhooks add URL)\n');
  }, 180_000);
});
