/**
 * Files and folders that appear whole or not at all: written under a temporary name beside their
 * final path and renamed into place, so a reader never sees half of one and a failure leaves nothing.
 */
import { randomBytes } from 'node:crypto';
import { rename, rm } from 'node:fs/promises';

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
