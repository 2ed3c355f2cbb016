/**
 * Settings that several commands share, resolved flag → ZHIWEI_* / standard environment → default.
 * Each is read where it is needed through these functions, so the rule lives in one place.
 */
import { join, resolve } from 'node:path';
import { BadInputError } from './errors.js';

/**
 * The data folder: the embedded database (`db/`) and the evidence store (`evidence/`).
 * `ZHIWEI_DATA_DIR` when set (and not empty), otherwise `.zhiwei` under the working directory.
 */
export function dataDir(flag?: string): string {
  return resolve(flag || process.env.ZHIWEI_DATA_DIR || join(process.cwd(), '.zhiwei'));
}

/** PostgreSQL server with PostGIS (`DATABASE_URL`), or null for the embedded database. */
export function databaseUrl(flag?: string): string | null {
  const url = flag ?? process.env.DATABASE_URL;
  return url && url.trim() !== '' ? url : null;
}

/** Schema of zhiwei's tables (`ZHIWEI_DB_SCHEMA`, default `zhiwei`): one database can hold several projects. */
export function databaseSchema(): string {
  const schema = process.env.ZHIWEI_DB_SCHEMA ?? 'zhiwei';
  if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new BadInputError(`ZHIWEI_DB_SCHEMA "${schema}" is not a plain lower-case SQL name`);
  return schema;
}

/** The evidence store: `evidence/` in the data folder. */
export function evidenceDir(): string {
  return join(dataDir(), 'evidence');
}

/**
 * Days allowed per case stage, as `ZHIWEI_DEADLINES` gives them (`detected=2,dispatched=7,...`);
 * null when unset (the defaults of `cases/deadlines.ts` apply).
 */
export function stageDeadlinesSetting(): string | null {
  const text = process.env.ZHIWEI_DEADLINES;
  return text && text.trim() !== '' ? text : null;
}
