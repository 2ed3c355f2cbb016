/**
 * One process at a time on an embedded database: PGlite does not lock its folder, and two
 * processes on it overwrite each other's writes. `<data folder>/db.lock` names the holder (PID,
 * command line, start, host); a second process is refused naming it, and a lock whose process
 * is gone is stale: the next opener clears it.
 */
import { linkSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { ConflictError } from '../errors.js';

/** What a lock file says about the process holding it. */
export interface LockHolder {
  pid: number;
  command: string;
  started_at: string;
  hostname: string;
}

/** A lock this process holds; release() removes its file. */
export interface EmbeddedLock {
  path: string;
  release(): void;
}

// the lock files this process holds: one naming this PID that is not among them was left by an
// earlier process with the same PID (a restarted container's PID 1), so it is stale
const held = new Set<string>();

/** Takes the lock of the embedded database in `root`, clearing a stale one (told to `notice`); refuses while a live process holds it. */
export function lockEmbedded(root: string, notice: (message: string) => void): EmbeddedLock {
  const path = resolve(root, 'db.lock');
  const me: LockHolder = { pid: process.pid, command: process.argv.slice(1).join(' '), started_at: new Date().toISOString(), hostname: hostname() };
  // a few tries: the holder may let go between a failed take and the read
  for (let attempt = 0; attempt < 3 && !take(path, me); attempt++) {
    const holder = readHolder(path);
    if (holder === null) continue;
    if (live(holder, path)) throw inUse(root, path, holder);
    notice(typeof holder.pid === 'number' ? `cleared a stale lock on the embedded database in ${root}: ${describe(holder)} no longer runs` : `cleared an unreadable lock file ${path}`);
    rmSync(path, { force: true });
  }
  if (!held.has(path)) throw inUse(root, path, readHolder(path) ?? {});
  const release = () => {
    process.off('exit', release);
    if (held.delete(path)) rmSync(path, { force: true });
  };
  process.on('exit', release);
  return { path, release };
}

/** Creates the lock file naming `me`, whole or not at all (a reader never sees it half written); false when it exists. */
function take(path: string, me: LockHolder): boolean {
  const draft = `${path}.${process.pid}`;
  writeFileSync(draft, `${JSON.stringify(me)}\n`);
  try {
    linkSync(draft, path);
    held.add(path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    rmSync(draft, { force: true });
  }
}

/** The holder a lock file names ({} when it is not zhiwei's JSON); null when the file is gone. */
function readHolder(path: string): Partial<LockHolder> | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  try {
    return JSON.parse(text) as Partial<LockHolder>;
  } catch {
    return {};
  }
}

/**
 * Whether the holder may still run. Another host's processes cannot be checked from here, so its
 * lock holds (two containers on one volume have different hostnames, and often both PID 1).
 */
function live(holder: Partial<LockHolder>, path: string): boolean {
  if (typeof holder.pid !== 'number') return false;
  if (holder.hostname !== hostname()) return true;
  if (holder.pid === process.pid) return held.has(path);
  try {
    process.kill(holder.pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function inUse(root: string, path: string, holder: Partial<LockHolder>): ConflictError {
  const elsewhere = holder.hostname !== undefined && holder.hostname !== hostname();
  return new ConflictError(
    `the embedded database in ${root} is in use by ${describe(holder)}${elsewhere ? ` on host ${holder.hostname}` : ''} since ${holder.started_at ?? 'an unknown time'}`,
    `stop it first${elsewhere ? ` (if it no longer runs there, as after a container was killed, delete ${path})` : ''}, or use a PostgreSQL server with DATABASE_URL so that several processes can share the database`,
  );
}

function describe(holder: Partial<LockHolder>): string {
  return typeof holder.pid === 'number' ? `PID ${holder.pid} (${holder.command})` : 'another process';
}
