/**
 * Runs the real `zhiwei` command (from source, through tsx) and captures what it prints.
 */
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const bin = fileURLToPath(new URL('../cli/bin.ts', import.meta.url));
// tsx by its full URL, so that a command run in another working folder still finds it
const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/**
 * Exit code, stdout and stderr of `zhiwei ...args`. Unless `env` says otherwise, the command gets
 * a data folder of its own that does not exist (so no embedded database is in use unless the
 * command creates one) and keeps DATABASE_URL as the test run has it.
 */
export function runCli(args: string[], cwd?: string, env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const dataDir = join(tmpdir(), `zhiwei-cli-none-${process.pid}`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', tsx, bin, ...args], { cwd, env: { ...process.env, ZHIWEI_DATA_DIR: dataDir, NO_COLOR: '1', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}
