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
import { migrate, pendingMigrations } from './migrations/index.js';

/** An open database. */
export interface Database {
  knex: Knex;
  backend: 'embedded' | 'server';
  /** The schema holding zhiwei's tables (PostGIS itself stays in `public`). */
  schema: string;
  /** Where it is, for messages: the embedded database's folder, or the server's URL without its password. */
  location: string;
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
  /**
   * False for work that reads and writes no geometry (users, tokens, webhooks): the embedded
   * database then opens without loading PostGIS, which is three quarters of its start-up time.
   */
  spatial?: boolean;
  /** False to look without changing anything: no schema created, no migration run (`zhiwei doctor`). */
  migrate?: boolean;
}

/** Opens (and, unless told not to, migrates) the database. */
export async function openDatabase(options: DatabaseOptions = {}): Promise<Database> {
  const schema = options.schema ?? 'zhiwei';
  const url = options.url === undefined ? databaseUrl() : options.url;
  const db = url ? await openServer(url, schema) : await openEmbedded(options, schema);
  try {
    if (options.migrate === false) return { ...db, migrated: [] };
    await db.knex.raw('CREATE SCHEMA IF NOT EXISTS ??', [schema]);
    if (!db.spatial && (await pendingMigrations(db.knex, schema)).length > 0) {
      // migrations create geometry columns: run them with PostGIS loaded
      await db.close();
      return openDatabase({ ...options, spatial: true });
    }
    return { ...db, migrated: await migrate(db.knex, schema) };
  } catch (err) {
    await db.close();
    throw err;
  }
}

/** An open database before its migrations; `spatial` says whether PostGIS is loaded. */
type Opened = Omit<Database, 'migrated'> & { spatial: boolean };

async function openServer(url: string, schema: string): Promise<Opened> {
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
  return { knex: instance, backend: 'server', schema, location: redact(url), spatial: true, close: () => instance.destroy() };
}

async function openEmbedded(options: DatabaseOptions, schema: string): Promise<Opened> {
  const root = options.dataDir ?? defaultDataDir();
  const inMemory = root === ':memory:';
  const folder = join(root, 'db');
  const notice = options.onNotice ?? (() => {});
  if (!inMemory) await mkdir(root, { recursive: true });
  const lock = inMemory ? null : lockEmbedded(root, notice);
  try {
    const fresh = inMemory || !existsSync(folder);
    if (fresh) notice(`preparing the embedded database ${inMemory ? '(in memory)' : `in ${folder}`} (about 20 s the first time)...`);
    if (!inMemory) await mkdir(folder, { recursive: true });
    // a fresh database needs PostGIS to create the extension
    const spatial = options.spatial !== false || fresh;
    const pglite = await PGlite.create({ ...(inMemory ? {} : { dataDir: folder }), extensions: spatial ? { postgis } : {} });
    const instance = knex({ client: ClientPgLite, connection: () => ({ pglite }), searchPath: [schema, 'public'] } as Knex.Config);
    await ensurePostgis(instance, inMemory ? 'the embedded database' : folder);
    const close = async () => {
      try {
        await instance.destroy();
      } finally {
        lock?.release();
      }
    };
    return { knex: instance, backend: 'embedded', schema, location: inMemory ? 'in memory' : folder, spatial, close };
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
