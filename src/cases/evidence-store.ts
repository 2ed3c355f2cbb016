/**
 * The evidence store: files (detection chips, field photos) kept by their SHA-256 under
 * `<data dir>/evidence/<first two hex>/<sha256>`, so that a file is stored once, its name never
 * comes from a client, and any change to it shows when its hash is checked again.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
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

/** SHA-256 of bytes, in hex. */
export function sha256Of(content: Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}
