import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConflictError } from '../errors.js';
import { lockEmbedded } from './embedded-lock.js';

let root: string;
let lockFile: string;
const notices: string[] = [];
const lock = () => lockEmbedded(root, (message) => notices.push(message));
const writeLock = (holder: object) => writeFileSync(lockFile, JSON.stringify(holder));
const deadPid = () => spawnSync(process.execPath, ['-e', '']).pid!;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'zhiwei-lock-'));
  lockFile = join(root, 'db.lock');
  notices.length = 0;
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('lockEmbedded', () => {
  it('names this process in the lock file, refuses a second open while held and removes the file on release', () => {
    const held = lock();
    expect(JSON.parse(readFileSync(lockFile, 'utf8'))).toMatchObject({ pid: process.pid, hostname: hostname() });
    expect(lock).toThrow(ConflictError);
    expect(lock).toThrow(new RegExp(`in use by PID ${process.pid} \\(`));
    held.release();
    expect(existsSync(lockFile)).toBe(false);
    lock().release();
    expect(notices).toEqual([]);
  });

  it('clears a lock whose process is gone, or an earlier process of this PID left, with a notice', () => {
    const pid = deadPid();
    writeLock({ pid, command: 'zhiwei detect', started_at: '2025-01-01T00:00:00.000Z', hostname: hostname() });
    lock().release();
    writeLock({ pid: process.pid, command: 'zhiwei serve', started_at: '2025-01-01T00:00:00.000Z', hostname: hostname() });
    lock().release();
    expect(notices).toEqual([
      `cleared a stale lock on the embedded database in ${root}: PID ${pid} (zhiwei detect) no longer runs`,
      `cleared a stale lock on the embedded database in ${root}: PID ${process.pid} (zhiwei serve) no longer runs`,
    ]);
  });

  it("keeps another host's lock, saying which file to delete once it no longer runs there", () => {
    writeLock({ pid: deadPid(), command: 'zhiwei serve', started_at: '2025-01-01T00:00:00.000Z', hostname: 'elsewhere' });
    const refusal = (() => {
      try {
        lock();
      } catch (err) {
        return err as ConflictError;
      }
    })();
    expect(refusal?.message).toMatch(/on host elsewhere since 2025-01-01/);
    expect(refusal?.hint).toContain(`delete ${lockFile}`);
    expect(existsSync(lockFile)).toBe(true);
  });
});
