/**
 * Files and folders that appear whole or not at all: written under a temporary name beside their
 * final path and renamed into place, so a reader never sees half of one and a failure leaves nothing.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { ConflictError } from './errors.js';

/**
 * Runs `write` on a temporary path beside `path` (unique to this call; a file or a folder), then
 * renames it to `path`; on any failure what was written is removed and the error rethrown.
 */
export async function writeAtomically(path: string, write: (partial: string) => Promise<unknown>): Promise<void> {
  const partial = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.partial`;
  try {
    await write(partial);
    await rename(partial, path);
  } catch (err) {
    await rm(partial, { recursive: true, force: true });
    throw err;
  }
}

/** What `replaceFolder` may replace: a folder holding one of `markers` is an earlier output of the same kind. */
export interface ReplaceableFolder {
  markers: string[];
  /** Names the earlier output in the refusal, e.g. "an earlier detect output". */
  what: string;
}

/**
 * Fills a fresh folder beside `path` with `write`, then swaps it in for `path`. An existing `path`
 * is replaced when it is empty or holds one of the markers, refused otherwise; on any failure the
 * fresh folder is removed and an earlier `path` is left as it was.
 */
export async function replaceFolder<T>(path: string, replaceable: ReplaceableFolder, write: (partial: string) => Promise<T>): Promise<T> {
  const target = resolve(path);
  await checkReplaceable(target, replaceable);
  await mkdir(dirname(target), { recursive: true });
  const partial = `${target}.partial-${process.pid}`;
  await rm(partial, { recursive: true, force: true });
  await mkdir(partial);
  try {
    const result = await write(partial);
    await swapIn(partial, target);
    return result;
  } catch (err) {
    await rm(partial, { recursive: true, force: true });
    throw err;
  }
}

/** Refuses a file, or a folder that is neither empty nor an earlier output of the same kind. */
async function checkReplaceable(target: string, { markers, what }: ReplaceableFolder): Promise<void> {
  const info = await stat(target).catch(() => null);
  if (info === null) return;
  if (!info.isDirectory()) throw new ConflictError(`${target} exists and is not a folder`, 'pass another --out');
  const entries = await readdir(target);
  if (entries.length > 0 && !markers.some((name) => entries.includes(name))) {
    throw new ConflictError(`${target} is not empty and does not hold ${what}; it would be replaced`, 'pass a new or empty folder as --out');
  }
}

/**
 * Moves the complete folder into place. POSIX cannot rename a folder over a non-empty one, so an
 * earlier output is first moved aside, then deleted; if the second rename fails it is moved back.
 * Only a crash between the two renames leaves no `target`, the earlier output then at `previous`.
 */
async function swapIn(partial: string, target: string): Promise<void> {
  const previous = `${target}.previous-${process.pid}`;
  await rm(previous, { recursive: true, force: true });
  const hadPrevious = await rename(target, previous).then(
    () => true,
    (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return false;
      throw err;
    },
  );
  try {
    await rename(partial, target);
  } catch (err) {
    if (hadPrevious) await rename(previous, target);
    throw err;
  }
  if (hadPrevious) await rm(previous, { recursive: true, force: true });
}
