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

/** Debian's python3, which python3-gdal installs GDAL's python utilities for (a python3 earlier on the PATH may lack them). */
export const systemPython = '/usr/bin/python3';

/** Like `requireTool`, for a module of the system python3 (GDAL's python utilities: python3-gdal). */
export function requirePythonModule(module: string): boolean {
  try {
    execFileSync(systemPython, ['-c', `import ${module}`], { stdio: 'ignore' });
    return true;
  } catch {
    if (process.env.CI === 'true') throw new Error(`python3 module ${module} is required in CI but is not installed (.ci/run installs python3-gdal)`);
    return false;
  }
}
