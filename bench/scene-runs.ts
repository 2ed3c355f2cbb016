/**
 * What the benches over generated scenes share: the CLI run from source with a database of the
 * bench's own (without plans, so runs find candidates only, whatever the default one holds), and
 * the raster flags of each detect mode.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../src/cli/bin.ts', import.meta.url));

/** Runs `zhiwei` with its data directory under `scenes`; returns what it printed on stdout. */
export function zhiweiIn(scenes: string): (...args: string[]) => string {
  const env = { ...process.env, ZHIWEI_DATA_DIR: join(scenes, 'data'), DATABASE_URL: '' };
  return (...args) => execFileSync(process.execPath, ['--import', 'tsx', bin, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], env });
}

/** The raster flags of `zhiwei detect` on a generated scene in one mode (ortho_dsm, dsm, ortho). */
export function detectRasters(scene: string, mode: string): string[] {
  const flags: Record<string, string[]> = {
    ortho_dsm: ['--before-ortho', 'before/ortho.tif', '--after-ortho', 'after/ortho.tif', '--before-dsm', 'before/dsm.tif', '--after-dsm', 'after/dsm.tif'],
    dsm: ['--before-dsm', 'before/dsm.tif', '--after-dsm', 'after/dsm.tif'],
    ortho: ['--before-ortho', 'before/ortho.tif', '--after-ortho', 'after/ortho.tif'],
  };
  if (!flags[mode]) throw new RangeError(`unknown mode ${mode}: ortho_dsm, dsm or ortho`);
  return flags[mode].map((arg) => (arg.endsWith('.tif') ? join(scene, arg) : arg));
}
