/**
 * The evidence store: files (detection chips, field photos) kept by their SHA-256 under
 * `<data dir>/evidence/<first two hex>/<sha256>`, so that a file is stored once, its name never
 * comes from a client, and any change to it shows when its hash is checked again.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, extname, join } from 'node:path';
import { writeAtomically } from '../files.js';

/** A stored file. */
export interface StoredFile {
  sha256: string;
  bytes: number;
  mediaType: string;
}

const mediaTypes: Record<string, string> = { '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.png': 'image/png', '.webp': 'image/webp' };

/** Path of a stored file in the store at `root`. */
export function evidencePath(root: string, sha256: string): string {
  return join(root, sha256.slice(0, 2), sha256);
}

/** Copies a file into the store (written whole, then renamed into place); a file already there is kept. */
export async function storeEvidenceFile(root: string, path: string): Promise<StoredFile> {
  return storeEvidenceBytes(root, await readFile(path), mediaTypes[extname(path).toLowerCase()] ?? 'application/octet-stream');
}

/** Stores bytes (a field photo) under their SHA-256, as `storeEvidenceFile` does. */
export async function storeEvidenceBytes(root: string, content: Buffer, mediaType: string): Promise<StoredFile> {
  const sha256 = sha256Of(content);
  const target = evidencePath(root, sha256);
  const present = await stat(target).then(() => true, () => false);
  if (!present) {
    await mkdir(join(root, sha256.slice(0, 2)), { recursive: true });
    await writeAtomically(target, (partial) => writeFile(partial, content));
  }
  return { sha256, bytes: content.length, mediaType };
}

/** Bytes to store (a field photo), with their media type. */
export interface PendingFile {
  content: Buffer;
  mediaType: string;
}

/**
 * Stores `files` only if `record` (a transaction recording them) succeeds: each is written beside
 * its place first, so that a full disk fails before anything is recorded, and renamed into place
 * once `record` has returned; whatever fails, no file of theirs is left behind.
 */
export async function storeEvidenceAfter<T>(root: string, files: PendingFile[], record: (stored: StoredFile[]) => Promise<T>): Promise<T> {
  const written: { partial: string; target: string }[] = [];
  try {
    const stored: StoredFile[] = [];
    for (const { content, mediaType } of files) {
      const sha256 = sha256Of(content);
      const target = evidencePath(root, sha256);
      const partial = `${target}.${process.pid}.${randomBytes(4).toString('hex')}.partial`;
      await mkdir(dirname(target), { recursive: true });
      written.push({ partial, target });
      await writeFile(partial, content);
      stored.push({ sha256, bytes: content.length, mediaType });
    }
    const result = await record(stored);
    // a file already in the store has the same bytes (it is named by them): replacing it changes nothing
    for (const { partial, target } of written) await rename(partial, target);
    return result;
  } finally {
    await Promise.all(written.map(({ partial }) => rm(partial, { force: true })));
  }
}

/** SHA-256 of bytes, in hex. */
export function sha256Of(content: Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}
