/**
 * `zhiwei doctor`: passes on a fresh install, and each check, broken, names the problem and a fix.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../db/connect.js';
import { testSchemaName } from '../test-support/database.js';
import { runCli } from '../test-support/cli.js';
import { databaseCheck, dataFolderCheck, diskSpaceCheck, fontCheck, modelCheck, nodeCheck } from './doctor.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'zhiwei-doctor-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Runs `work` with environment variables set, restoring them after. */
async function withEnv<T>(values: Record<string, string>, work: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(values).map((key) => [key, process.env[key]]));
  Object.assign(process.env, values);
  try {
    return await work();
  } finally {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
}

describe('zhiwei doctor', () => {
  it('passes on a fresh install', async () => {
    const { code, stdout } = await runCli(['doctor'], undefined, { ZHIWEI_DB_SCHEMA: testSchemaName() });
    expect(code, stdout).toBe(0);
    expect(stdout).toContain('all 6 checks passed');
    expect(stdout).toMatch(/ok {4}change model zhiwei-cd-v1: zhiwei-cd-v1 \d+\.\d+\.\d+/);
  }, 120_000);

  it('names an old Node.js', () => {
    expect(nodeCheck('20.11.1').ok).toBe(true);
    const check = nodeCheck('18.19.0');
    expect(check).toMatchObject({ ok: false, detail: '18.19.0; zhiwei needs 20 or later' });
    expect(check.fix).toContain('Node.js 20');
  });

  it('names a model whose files are broken', async () => {
    await writeFile(join(dir, 'broken.json'), '{"name": "broken"');
    await writeFile(join(dir, 'broken.onnx'), 'not a model');
    const check = await modelCheck(join(dir, 'broken.onnx'));
    expect(check.ok).toBe(false);
    expect(check.detail).toContain('broken.json');
    expect(check.fix).toBeTruthy();
  });

  it('names a missing CJK font', async () => {
    const check = await withEnv({ ZHIWEI_CJK_FONT: join(dir, 'missing.ttf') }, async () => fontCheck());
    expect(check).toMatchObject({ ok: false, fix: 'set ZHIWEI_CJK_FONT to a .ttf or .otf font with Chinese glyphs' });
    expect(check.detail).toContain('missing.ttf');
  });

  it('names a data folder that cannot be made', async () => {
    await writeFile(join(dir, 'a-file'), '');
    const check = await dataFolderCheck(join(dir, 'a-file', 'data'));
    expect(check).toMatchObject({ ok: false, detail: `${join(dir, 'a-file', 'data')}: ${join(dir, 'a-file')} is a file, not a folder` });
    expect(check.fix).toContain('ZHIWEI_DATA_DIR');
    expect((await dataFolderCheck(join(dir, 'new'))).ok).toBe(true);
  });

  it('names a disk too full for evidence', async () => {
    expect((await diskSpaceCheck(dir, 100 * 1024 ** 2)).detail).toMatch(/^0\.1 GB free on the disk of .*; chips and field photos need at least 1 GB$/);
    expect((await diskSpaceCheck(dir, 100 * 1024 ** 2)).ok).toBe(false);
    expect((await diskSpaceCheck(dir)).ok).toBe(true);
  });

  it('names the process holding the embedded database', async () => {
    const data = join(dir, 'held');
    await mkdir(join(data, 'db'), { recursive: true });
    // the test runner's parent is alive and is not this process: its lock is not stale
    const holder = { pid: process.ppid, command: 'zhiwei serve', started_at: new Date().toISOString(), hostname: (await import('node:os')).hostname() };
    await writeFile(join(data, 'db.lock'), JSON.stringify(holder));
    const check = await withEnv({ ZHIWEI_DATA_DIR: data, DATABASE_URL: '' }, databaseCheck);
    expect(check.ok).toBe(false);
    expect(check.detail).toContain(`PID ${process.ppid}`);
    expect(check.fix).toBeTruthy();
  });

  it.runIf(process.env.DATABASE_URL)('names migrations not run on the server', async () => {
    const schema = testSchemaName();
    const db = await openDatabase({ schema });
    try {
      const [last] = await db.knex('migrations').orderBy('id', 'desc').limit(1).pluck('name');
      await db.knex('migrations').where({ name: last }).delete();
      const check = await withEnv({ ZHIWEI_DB_SCHEMA: schema }, databaseCheck);
      expect(check).toMatchObject({ ok: false, fix: 'run zhiwei db migrate (every command also does so on first use)' });
      expect(check.detail).toContain(`1 migrations not run: ${last}`);
    } finally {
      await db.knex.raw('DROP SCHEMA ?? CASCADE', [schema]);
      await db.close();
    }
  });
});
