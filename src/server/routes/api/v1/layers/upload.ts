/**
 * One layer file received as multipart/form-data: the `file` part is streamed into a temporary
 * folder of its own under a name the service picks (`layer.geojson`, `.zip` or `.dxf`, by the
 * file's first bytes), up to 50 MB, with the text fields `crs`, `encoding`, `mapping` (a DXF
 * mapping as JSON) and `allow_move` (true to accept outlines moving by kilometres). The client's
 * file name is only ever shown, never used as a path.
 */
import { createWriteStream } from 'node:fs';
import { mkdtemp, open, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { FastifyRequest } from 'fastify';
import { BadInputError } from '../../../../../errors.js';
import { parseDxfMapping } from '../../../../../plans/dxf-mapping.js';
import { layerFileType } from '../../../../../plans/file-type.js';
import type { ImportOptions } from '../../../../../plans/import.js';
import { checkZipInflatedSize } from './zip-limit.js';

/** Largest layer file accepted, in bytes. */
export const layerMaxBytes = 50 * 1024 * 1024;

/** An uploaded layer file, its name as the client gave it (without folders), and how to read it. */
export interface LayerUpload {
  path: string;
  name: string;
  options: ImportOptions;
}

const fieldNames = ['crs', 'encoding', 'mapping', 'allow_move'];
const fieldMaxChars = 100_000;

/**
 * Receives the upload, runs `work` on it and removes the temporary copy whatever happens. Error
 * messages name the file as the client did, never by its temporary path.
 */
export async function withLayerUpload<T>(request: FastifyRequest, work: (upload: LayerUpload) => Promise<T>): Promise<T> {
  if (!request.isMultipart()) throw httpError(415, 'send the layer as multipart/form-data with the file in a "file" field');
  const dir = await mkdtemp(join(tmpdir(), 'zhiwei-upload-'));
  let upload: LayerUpload | null = null;
  try {
    upload = await receive(request, dir);
    return await work(upload);
  } catch (err) {
    if (upload && err instanceof Error) err.message = err.message.split(upload.path).join(upload.name);
    throw err;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function receive(request: FastifyRequest, dir: string): Promise<LayerUpload> {
  const fields: Record<string, string> = {};
  let file: { name: string; path: string } | null = null;
  const limits = { fileSize: layerMaxBytes, files: 1, fields: fieldNames.length, fieldSize: fieldMaxChars, parts: fieldNames.length + 1 };
  for await (const part of request.parts({ limits })) {
    if (part.type === 'file') {
      if (part.fieldname !== 'file') throw new BadInputError(`${part.fieldname}: the layer goes in the "file" field`);
      const path = join(dir, 'upload');
      await pipeline(part.file, createWriteStream(path));
      if (part.file.truncated) throw httpError(413, `file: larger than ${layerMaxBytes / 1024 / 1024} MB`);
      file = { name: displayName(part.filename), path };
    } else {
      if (!fieldNames.includes(part.fieldname)) throw new BadInputError(`${part.fieldname}: unknown field (the fields are file, ${fieldNames.join(', ')})`);
      if (part.valueTruncated) throw new BadInputError(`${part.fieldname}: longer than ${fieldMaxChars} characters`);
      fields[part.fieldname] = typeof part.value === 'string' ? part.value.trim() : JSON.stringify(part.value);
    }
  }
  if (!file) throw new BadInputError('file: missing; send the layer file in a "file" field');
  const type = layerFileType(await firstBytes(file.path), file.name);
  const path = join(dir, `layer${type}`);
  await rename(file.path, path);
  // a zip bomb is refused here, before the import inflates it
  if (type === '.zip') await checkZipInflatedSize(path, file.name);
  if (fields.mapping && type !== '.dxf') throw new BadInputError(`mapping: only a DXF drawing takes a mapping; ${file.name} is not one`);
  const options: ImportOptions = {
    ...(fields.crs ? { crs: fields.crs } : {}),
    ...(fields.mapping ? { dxfMapping: parseDxfMapping(parseJson(fields.mapping), 'mapping') } : {}),
    ...(fields.encoding ? { encoding: fields.encoding } : {}),
    ...(allowMove(fields.allow_move) ? { allowMove: true } : {}),
  };
  return { path, name: file.name, options };
}

/** The last segment of the client's file name, without control characters; "upload" when nothing is left. */
function displayName(filename: string): string {
  const name = (filename.split(/[\\/]/).pop() ?? '').replace(/[\u0000-\u001f\u007f]/g, '').trim().slice(0, 200);
  return name === '' || name === '.' || name === '..' ? 'upload' : name;
}

async function firstBytes(path: string): Promise<Buffer> {
  const handle = await open(path);
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(4096), 0, 4096, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** The `allow_move` field: true or false (absent is false). */
function allowMove(value: string | undefined): boolean {
  if (value === undefined || value === 'false') return false;
  if (value === 'true') return true;
  throw new BadInputError(`allow_move: "${value.slice(0, 40)}" is neither true nor false`);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new BadInputError(`mapping: not JSON (${(err as Error).message})`);
  }
}

/** An error the problem handler answers with `status` and the message. */
function httpError(status: number, message: string): Error {
  return Object.assign(new Error(message), { statusCode: status });
}
