import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../db/connect.js';
import { openTestDatabase, testBackends } from '../test-support/database.js';
import { emitCandidates, moveCase, squareCandidate, toClosed, toFalsePositive, toVerifiedIllegal, truthCandidates } from '../test-support/verdict-cases.js';
import { writeTrainingChips, type JudgedCase } from './training-chips.js';
import { readVerdictCases } from './verdict-cases.js';

const shape = { tileSize: 256, gsd: 0.2, model: 'zhiwei-cd-v1' };

/** An image's size, its channels in the file, and its pixels (one band of a grey image: sharp's raw output would be RGB). */
async function pixels(path: string): Promise<{ data: Buffer; width?: number; height?: number; channels?: number }> {
  const { width, height, channels } = await sharp(path).metadata();
  const data = await (channels === 1 ? sharp(path).extractChannel(0) : sharp(path)).raw().toBuffer();
  return { data, width, height, channels };
}

describe.each(testBackends())('training chips from verdicts (%s)', (backend) => {
  let db: Database;
  let dir: string;
  let ids: Record<string, number>;
  let judged: JudgedCase[];

  beforeAll(async () => {
    db = await openTestDatabase(backend);
    dir = await mkdtemp(join(tmpdir(), 'zhiwei-chips-'));
    const [built, shed, permitted, raised] = await truthCandidates(['C0007', 'C0001', 'C0006', 'C0003']);
    const corner = squareCandidate('corner', [496595, 3349830, 496600, 3349835]);
    const far = squareCandidate('far', [500000, 3350000, 500010, 3350010]);
    ids = await emitCandidates(db, dir, [built, shed, permitted, corner, far]);
    const gone = { beforeOrtho: join(dir, 'gone', 'before.tif'), afterOrtho: join(dir, 'gone', 'after.tif') };
    ids = { ...ids, ...(await emitCandidates(db, dir, [raised], gone)) };
    await moveCase(db.knex, ids.C0007, toClosed);
    await moveCase(db.knex, ids.C0001, toFalsePositive);
    for (const id of ['corner', 'far', 'C0003']) await moveCase(db.knex, ids[id], toVerifiedIllegal);
    const cases = await readVerdictCases(db.knex, Object.values(ids));
    judged = cases.filter((c): c is JudgedCase => c.verdict !== null);
  });
  afterAll(async () => {
    await db?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('reads the latest verdict, positive after the case moved on, none for a case not verified', async () => {
    const cases = await readVerdictCases(db.knex, [ids.C0007, ids.C0001, ids.C0006]);
    const byId = (id: number) => cases.find((c) => c.id === id)!;
    expect([ids.C0007, ids.C0001, ids.C0006].map((id) => [byId(id).state, byId(id).verdict])).toEqual([
      ['closed', 'verified_illegal'], ['false_positive', 'false_positive'], ['detected', null],
    ]);
    expect(byId(ids.C0007).candidate).toMatchObject({ jobId: 1, epsg: 4549 });
  });

  it('writes a positive, a hard negative and a chip moved inside the flight; skips cases outside or without rasters', async () => {
    const out = join(dir, 'chips');
    const report = await writeTrainingChips(out, judged, shape);
    expect(report.positives).toBe(2);
    expect(report.negatives).toBe(1);
    expect(report.skipped).toEqual([
      { caseId: ids.far, jobId: 1, reason: 'the case lies outside the orthophotos' },
      { caseId: ids.C0003, jobId: 2, reason: `the before orthophoto of job 2: raster ${join(dir, 'gone', 'before.tif')} does not exist` },
    ]);
    const name = (id: number, job = 1) => `case${id}_job${job}.png`;
    for (const part of ['A', 'B', 'label']) {
      expect((await readdir(join(out, part))).sort()).toEqual([name(ids.C0007), name(ids.C0001), name(ids.corner)].sort());
    }

    const before = await pixels(join(out, 'A', name(ids.C0007)));
    const after = await pixels(join(out, 'B', name(ids.C0007)));
    const label = await pixels(join(out, 'label', name(ids.C0007)));
    expect([before.width, before.height, before.channels, after.channels]).toEqual([256, 256, 3, 3]);
    expect([label.width, label.height, label.channels]).toEqual([256, 256, 1]);
    const changed = label.data.filter((v) => v === 255).length;
    expect(label.data.every((v) => v === 0 || v === 255)).toBe(true);
    expect(Math.abs(changed - 60.5 / 0.2 ** 2) / (60.5 / 0.2 ** 2)).toBeLessThan(0.15);
    // the new building is where the label says: before and after differ far more inside it than around it
    const difference = (inside: boolean) => {
      let sum = 0;
      let n = 0;
      for (let p = 0; p < label.data.length; p++) {
        if ((label.data[p] === 255) !== inside) continue;
        for (let b = 0; b < 3; b++) sum += Math.abs(before.data[p * 3 + b] - after.data[p * 3 + b]);
        n++;
      }
      return sum / n;
    };
    expect(difference(true)).toBeGreaterThan(2 * difference(false));

    const negative = await pixels(join(out, 'label', name(ids.C0001)));
    expect(negative.channels).toBe(1);
    expect(negative.data.every((v) => v === 0)).toBe(true);

    const listing = JSON.parse(await readFile(join(out, 'chips.json'), 'utf8'));
    expect(listing).toMatchObject({ model: 'zhiwei-cd-v1', tile_size: 256, gsd_m: 0.2, positives: 2, hard_negatives: 1 });
    const entry = (id: number) => listing.chips.find((c: { case_id: number }) => c.case_id === id);
    expect(entry(ids.C0007)).toMatchObject({ state: 'closed', verdict: 'verified_illegal', label: 'positive', job_id: 1, crs: 'EPSG:4549', nodata_share: 0 });
    expect(entry(ids.C0001)).toMatchObject({ state: 'false_positive', label: 'hard_negative' });
    const [x0, y0, x1, y1] = entry(ids.C0007).bounds;
    expect([x1 - x0, y1 - y0].map((v) => Math.round(v * 1000) / 1000)).toEqual([51.2, 51.2]);
    // near the south-west corner of the flight the chip is moved inside it, not filled with nodata
    expect(entry(ids.corner)).toMatchObject({ bounds: [496594, 3349828, 496645.2, 3349879.2], nodata_share: 0, outline_pixels: 625 });
    expect(listing.skipped).toHaveLength(2);
    expect((await readdir(dir)).filter((n) => n.includes('.partial-'))).toEqual([]);
  });

  it('replaces an earlier chips folder, refuses any other non-empty folder, and writes nothing when every case is skipped', async () => {
    const out = join(dir, 'again');
    await writeTrainingChips(out, judged, shape);
    await writeFile(join(out, 'A', 'stale.png'), '');
    await writeTrainingChips(out, judged, shape);
    expect(existsSync(join(out, 'A', 'stale.png'))).toBe(false);

    const foreign = join(dir, 'foreign');
    await mkdir(foreign);
    await writeFile(join(foreign, 'notes.txt'), 'keep me');
    await expect(writeTrainingChips(foreign, judged, shape)).rejects.toThrow('is not empty and does not hold earlier training chips');
    expect(await readdir(foreign)).toEqual(['notes.txt']);

    const none = join(dir, 'none');
    const skippedOnly = judged.filter((c) => c.id === ids.far || c.id === ids.C0003);
    await expect(writeTrainingChips(none, skippedOnly, shape)).rejects.toThrow(/^no training chips: every case was skipped \(the case lies outside the orthophotos; the before orthophoto of job 2/);
    expect(existsSync(none)).toBe(false);
    expect((await readdir(dir)).filter((n) => n.includes('.partial-'))).toEqual([]);
  });
});
