/**
 * Opening the database from a command: the embedded one says at once on a terminal that it is
 * opening (seconds), when its slow first start begins and when it cleared a stale lock; the
 * database is closed however the command ends.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { dataDir, databaseSchema, databaseUrl } from '../config.js';
import { openDatabase, type Database } from '../db/connect.js';

/**
 * Runs `work` with the database open (DATABASE_URL, or the embedded one in the data folder);
 * `spatial: false` for work that touches no geometry (see `openDatabase`).
 */
export async function withDatabase<T>(work: (db: Database) => Promise<T>, options: { spatial?: boolean } = {}): Promise<T> {
  const opening = databaseUrl() === null && process.stderr.isTTY;
  if (opening) process.stderr.write(`opening the embedded database in ${join(dataDir(), 'db')} ...`);
  // the line is cleared once the database is open, or replaced by a notice
  const clear = () => opening && process.stderr.write('\r\x1b[K');
  const db = await openDatabase({
    schema: databaseSchema(),
    spatial: options.spatial,
    onNotice: (message) => {
      clear();
      process.stderr.write(`${message}\n`);
    },
  }).finally(clear);
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
