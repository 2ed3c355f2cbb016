/**
 * Opening the database from a command: the embedded one says when its slow first start begins
 * (and when it cleared a stale lock), and the database is closed however the command ends.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { dataDir, databaseSchema, databaseUrl } from '../config.js';
import { openDatabase, type Database } from '../db/connect.js';

/** Runs `work` with the database open (DATABASE_URL, or the embedded one in the data folder). */
export async function withDatabase<T>(work: (db: Database) => Promise<T>): Promise<T> {
  const db = await openDatabase({ schema: databaseSchema(), onNotice: (message) => process.stderr.write(`${message}\n`) });
  try {
    return await work(db);
  } finally {
    await db.close();
  }
}

/** True when a database is in use here: DATABASE_URL is set or the embedded one exists. */
export function databaseInUse(): boolean {
  return databaseUrl() !== null || existsSync(join(dataDir(), 'db'));
}
