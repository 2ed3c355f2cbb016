/**
 * Files and folders that appear whole or not at all: written under a temporary name beside their
 * final path and renamed into place, so a reader never sees half of one and a failure leaves nothing.
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { BadInputError, ConflictError } from './errors.js';

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

/** A fresh folder beside an output folder: filled by the caller, then swapped in whole or removed. */
export interface FreshFolder {
  /** Where to write: `<output folder>.partial-<pid>`. */
  path: string;
  /** Moves the filled folder into place, replacing an earlier output. */
  swapIn(): Promise<void>;
  /** Removes the fresh folder after a failure (nothing once it is swapped in). */
  remove(): Promise<void>;
}

/**
 * Checks that `path` may be replaced (`checkReplaceable`), removes what runs killed before left
 * beside it, and makes an empty fresh folder beside it. Call it before any work, so that a bad
 * output folder is refused at once.
 */
export async function freshFolder(path: string, replaceable: ReplaceableFolder): Promise<FreshFolder> {
  const target = resolve(path);
  await checkReplaceable(target, replaceable);
  await mkdir(dirname(target), { recursive: true });
  await removeLeftovers(target);
  const partial = `${target}.partial-${process.pid}`;
  await rm(partial, { recursive: true, force: true });
  await mkdir(partial);
  return { path: partial, swapIn: () => swapIn(partial, target), remove: () => rm(partial, { recursive: true, force: true }) };
}

/**
 * Fills a fresh folder beside `path` with `write`, then swaps it in for `path`. An existing `path`
 * is replaced when it is empty or holds one of the markers, refused otherwise; on any failure the
 * fresh folder is removed and an earlier `path` is left as it was.
 */
export async function replaceFolder<T>(path: string, replaceable: ReplaceableFolder, write: (partial: string) => Promise<T>): Promise<T> {
  const fresh = await freshFolder(path, replaceable);
  try {
    const result = await write(fresh.path);
    await fresh.swapIn();
    return result;
  } catch (err) {
    await fresh.remove();
    throw err;
  }
}

/**
 * Refuses an output folder that cannot be written or must not be replaced: a file, a folder that
 * is neither empty nor an earlier output of the same kind, or one whose parent (the nearest that
 * exists) is a file or not writable.
 */
export async function checkReplaceable(path: string, { markers, what }: ReplaceableFolder): Promise<void> {
  const target = resolve(path);
  const info = await stat(target).catch(() => null);
  if (info !== null && !info.isDirectory()) throw new ConflictError(`${target} exists and is not a folder`, 'pass another --out');
  if (info !== null) {
    const entries = await readdir(target);
    if (entries.length > 0 && !markers.some((name) => entries.includes(name))) {
      throw new ConflictError(`${target} is not empty and does not hold ${what}; it would be replaced`, 'pass a new or empty folder as --out');
    }
  }
  let parent = dirname(target);
  let parentInfo = await stat(parent).catch(() => null);
  while (parentInfo === null && dirname(parent) !== parent) {
    parent = dirname(parent);
    parentInfo = await stat(parent).catch(() => null);
  }
  if (parentInfo !== null && !parentInfo.isDirectory()) {
    throw new BadInputError(`${parent} is a file, so ${target} cannot be made in it`, 'pass --out inside a folder');
  }
  await access(parent, constants.W_OK).catch(() => {
    throw new BadInputError(`${parent} is not writable, so ${target} cannot be written`, 'pass --out inside a folder you can write to');
  });
}

/**
 * Removes what a killed run left beside `target`: a fresh folder it was filling
 * (`.partial-<pid>`), and an earlier output it had moved aside (`.previous-<pid>`), which is
 * moved back when the kill came between the two renames of `swapIn`. Leftovers of a process still
 * alive are another run's, and kept.
 */
async function removeLeftovers(target: string): Promise<void> {
  const prefix = `${basename(target)}.`;
  for (const entry of await readdir(dirname(target))) {
    const match = entry.startsWith(prefix) ? /^(partial|previous)-(\d+)$/.exec(entry.slice(prefix.length)) : null;
    if (!match || isAlive(Number(match[2]))) continue;
    const path = join(dirname(target), entry);
    const targetMissing = (await stat(target).catch(() => null)) === null;
    if (match[1] === 'previous' && targetMissing) await rename(path, target);
    else await rm(path, { recursive: true, force: true });
  }
}

/** Whether a process with this id runs (one of another user counts too). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Moves the complete folder into place. POSIX cannot rename a folder over a non-empty one, so an
 * earlier output is first moved aside, then deleted; if the second rename fails it is moved back.
 * Only a crash between the two renames leaves no `target`, the earlier output then at `previous`,
 * where the next `freshFolder` for it moves it back.
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
