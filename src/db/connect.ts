/**
 * The database (DESIGN.md section 6): one knex instance over either backend, migrated on open.
 * - embedded (default): PGlite with PostGIS in `<data dir>/db`, no server to install, one process
 *   at a time (see `embedded-lock.ts`);
 * - server: any PostgreSQL with PostGIS through `DATABASE_URL`.
 * Everything above this file talks to knex and SQL only, so both backends run one code path.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { postgis } from '@electric-sql/pglite-postgis';
import knex, { type Knex } from 'knex';
import ClientPgLite from 'knex-pglite';
import { dataDir as defaultDataDir, databaseUrl } from '../config.js';
import { DependencyMissingError } from '../errors.js';
import { lockEmbedded } from './embedded-lock.js';
import { migrate } from './migrations/index.js';

/** An open database. */
export interface Database {
  knex: Knex;
  backend: 'embedded' | 'server';
  /** The schema holding zhiwei's tables (PostGIS itself stays in `public`). */
  schema: string;
  /** Migrations this open ran (empty when the schema was current). */
  migrated: string[];
  close(): Promise<void>;
}

/** Where to connect; every field has a default (see `src/config.ts`). */
export interface DatabaseOptions {
  /** PostgreSQL URL; null forces the embedded backend, undefined reads DATABASE_URL. */
  url?: string | null;
  /** Data folder of the embedded backend (its database lives in `db/` inside); ':memory:' keeps it in memory. */
  dataDir?: string;
  /** Schema for zhiwei's tables; tests give each file its own. */
  schema?: string;
  /** Told what a user should know as the embedded database opens: its slow first start begins, a stale lock was cleared. */
  onNotice?: (message: string) => void;
}

/** Opens (and migrates) the database. */
export async function openDatabase(options: DatabaseOptions = {}): Promise<Database> {
  const schema = options.schema ?? 'zhiwei';
  const url = options.url === undefined ? databaseUrl() : options.url;
  const db = url ? await openServer(url, schema) : await openEmbedded(options, schema);
  try {
    await db.knex.raw('CREATE SCHEMA IF NOT EXISTS ??', [schema]);
    return { ...db, migrated: await migrate(db.knex, schema) };
  } catch (err) {
    await db.close();
    throw err;
  }
}

async function openServer(url: string, schema: string): Promise<Omit<Database, 'migrated'>> {
  const instance = knex({ client: 'pg', connection: url, searchPath: [schema, 'public'], pool: { min: 0, max: 8 } });
  try {
    await instance.raw('SELECT 1');
  } catch (err) {
    await instance.destroy();
    throw new DependencyMissingError(
      `cannot reach the database at DATABASE_URL (${redact(url)}): ${(err as Error).message}`,
      'start PostgreSQL, or unset DATABASE_URL to use the embedded database',
    );
  }
  await ensurePostgis(instance, redact(url));
  return { knex: instance, backend: 'server', schema, close: () => instance.destroy() };
}

async function openEmbedded(options: DatabaseOptions, schema: string): Promise<Omit<Database, 'migrated'>> {
  const root = options.dataDir ?? defaultDataDir();
  const inMemory = root === ':memory:';
  const folder = join(root, 'db');
  const notice = options.onNotice ?? (() => {});
  if (!inMemory) await mkdir(root, { recursive: true });
  const lock = inMemory ? null : lockEmbedded(root, notice);
  try {
    if (inMemory || !existsSync(folder)) notice(`preparing the embedded database ${inMemory ? '(in memory)' : `in ${folder}`} (about 20 s the first time)...`);
    if (!inMemory) await mkdir(folder, { recursive: true });
    const pglite = await PGlite.create({ ...(inMemory ? {} : { dataDir: folder }), extensions: { postgis } });
    const instance = knex({ client: ClientPgLite, connection: () => ({ pglite }), searchPath: [schema, 'public'] } as Knex.Config);
    await ensurePostgis(instance, inMemory ? 'the embedded database' : folder);
    const close = async () => {
      try {
        await instance.destroy();
      } finally {
        lock?.release();
      }
    };
    return { knex: instance, backend: 'embedded', schema, close };
  } catch (err) {
    lock?.release();
    throw err;
  }
}

/** Creates the PostGIS extension where it is missing; says how to add it where that is not allowed. */
async function ensurePostgis(instance: Knex, where: string): Promise<void> {
  const installed = await instance.raw("SELECT 1 FROM pg_extension WHERE extname = 'postgis'");
  if (installed.rows.length > 0) return;
  try {
    await instance.raw('CREATE EXTENSION IF NOT EXISTS postgis SCHEMA public');
  } catch (err) {
    await instance.destroy();
    throw new DependencyMissingError(
      `PostGIS is not installed in ${where}: ${(err as Error).message}`,
      'install PostGIS (Debian: postgresql-15-postgis-3) and run CREATE EXTENSION postgis as a superuser',
    );
  }
}

/** The URL without its password, for messages. */
function redact(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}
