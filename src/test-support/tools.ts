/**
 * Test-time checks for external tools (GDAL, PostgreSQL, chromium). Under CI a missing tool fails
 * the test run; on a developer machine the tests that need it are skipped.
 */
import { execFileSync } from 'node:child_process';

/** True when `name` runs from the PATH. */
export function hasTool(name: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether tests needing `name` can run: true when it is installed, false (skip) when it is not,
 * and a thrown error when it is missing under CI, where every dependency must be present.
 */
export function requireTool(name: string): boolean {
  if (hasTool(name)) return true;
  if (process.env.CI === 'true') throw new Error(`${name} is required in CI but is not installed (.ci/run installs it)`);
  return false;
}
