/**
 * A job spec from a `--job` file overridden by flags, shared by `zhiwei detect` and `zhiwei
 * survey`: the file's keys are the command's flags without their dashes, its paths relative to
 * the file; every path is made absolute, since the spec is stored with the job.
 */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { BadInputError } from '../errors.js';
import { camelCase } from '../pipeline/run/detect-job.js';

/** The spec of `command` (keys `keys`, of which `pathKeys` are paths) from `flags.job` and the flags; `out` is needed. */
export async function jobSpecFromFlags<K extends string>(
  command: string,
  flags: Record<string, string | number | boolean | undefined>,
  keys: readonly K[],
  pathKeys: readonly string[],
): Promise<Partial<Record<K, string | number>> & { out: string }> {
  const spec: Partial<Record<K, string | number>> = {};
  if (typeof flags.job === 'string') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(await readFile(flags.job, 'utf8'));
    } catch (err) {
      throw new BadInputError(`${flags.job}: not a readable JSON job spec (${(err as Error).message})`);
    }
    const base = dirname(flags.job);
    for (const [key, value] of Object.entries(parsed as Record<string, unknown>)) {
      if (!(keys as readonly string[]).includes(key)) {
        throw new BadInputError(`${flags.job}: unknown key "${key}"`, `job spec keys are the ${command} flags: ${keys.join(', ')}`);
      }
      spec[key as K] = pathKeys.includes(key) ? absolute(base, value as string) : (value as string | number);
    }
  }
  // paths are stored with the job, so they are made absolute (a flag's from the working folder)
  for (const key of keys) {
    const flag = flags[camelCase(key)] as string | number | undefined;
    if (flag !== undefined) spec[key] = pathKeys.includes(key) && typeof flag === 'string' && flag !== '' ? absolute(process.cwd(), flag) : flag;
  }
  const out = (spec as { out?: unknown }).out;
  if (typeof out !== 'string') throw new BadInputError(`${command} needs --out DIR (or "out" in the job spec)`);
  return { ...spec, out };
}

/** A path made absolute against `base`; URLs (COGs read over HTTP) stay as they are. */
function absolute(base: string, path: string): string {
  return typeof path === 'string' && !/^https?:\/\//i.test(path) ? resolve(base, path) : path;
}
