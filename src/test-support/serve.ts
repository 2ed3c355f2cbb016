/**
 * Runs the real `zhiwei serve` (from source, through tsx) as a user would, on the data folder
 * and schema in `env`, and waits for the address it prints.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../cli/bin.ts', import.meta.url));

/** A running `zhiwei serve`. */
export interface ServeProcess {
  child: ChildProcess;
  /** Where it listens, e.g. http://127.0.0.1:41234. */
  address: string;
  /** Everything it printed so far. */
  output(): string;
  /** Settles with the exit code. */
  exit: Promise<number>;
  /** Sends SIGTERM and waits for the exit code. */
  stop(): Promise<number>;
}

/** Starts `zhiwei serve --port <port>` (0 picks a free one) with `env` over the test's environment. */
export async function serve(env: Record<string, string>, port = 0): Promise<ServeProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', bin, 'serve', '--port', String(port)], { env: { ...process.env, NO_COLOR: '1', ...env } });
  let text = '';
  child.stdout.on('data', (chunk) => (text += chunk));
  child.stderr.on('data', (chunk) => (text += chunk));
  const exit = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? 1)));
  const address = await new Promise<string>((resolve, reject) => {
    const timer = setInterval(() => {
      const match = /listening on (http:\/\/\S+)/.exec(text);
      if (match) {
        clearInterval(timer);
        resolve(match[1]);
      }
    }, 100);
    void exit.then((code) => {
      clearInterval(timer);
      reject(new Error(`zhiwei serve exited with ${code}: ${text}`));
    });
  });
  const stop = () => {
    child.kill('SIGTERM');
    return exit;
  };
  return { child, address, output: () => text, exit, stop };
}
