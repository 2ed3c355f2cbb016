/**
 * End to end: `zhiwei detect` on the fixture scene, field verdicts on two of its cases, then
 * `zhiwei export training-chips` and `zhiwei eval-cd` on the folder it wrote (embedded database, or
 * the server when DATABASE_URL is set); and the refusals that write nothing.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/test-support/cli.js';
import { cliDatabase, type CliDatabase } from '../src/test-support/database.js';
import { fixtureScene, moveCase, toFalsePositive, toVerifiedIllegal } from '../src/test-support/verdict-cases.js';

let cli: CliDatabase;
let dir: string;
let env: Record<string, string>;

beforeAll(async () => {
  cli = await cliDatabase('training-chips');
  ({ dir, env } = cli);
  const run = await runCli(['detect', '--job', join(fixtureScene, 'job.json'), '--out', join(dir, 'detect')], undefined, env);
  if (run.code !== 0) throw new Error(`detect failed: ${run.stderr}`);
});
afterAll(() => cli?.remove());

describe('zhiwei export training-chips', () => {
  it('refuses a selection without verdicts, options it does not take and a missing --format, writing nothing', async () => {
    const out = join(dir, 'refused');
    const none = await runCli(['export', 'training-chips', '--out', out], undefined, env);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('no cases verified illegal or false positive in the database; nothing written');
    const state = await runCli(['export', 'training-chips', '--out', out, '--state', 'closed'], undefined, env);
    expect(state.code).toBe(2);
    expect(state.stderr).toContain('--state does not apply to training-chips');
    const format = await runCli(['export', '--out', join(dir, 'cases.csv')], undefined, env);
    expect(format.code).toBe(2);
    expect(format.stderr).toContain('export needs --format');
    expect(existsSync(out)).toBe(false);
    expect(existsSync(join(dir, 'cases.csv'))).toBe(false);
  });

  it('writes a positive and a hard negative from the job rasters that eval-cd reads back', async () => {
    const [positive, negative] = await cli.use(async (db) => {
      const cases = await db.knex('cases').orderBy([{ column: 'area_m2', order: 'desc' }, 'id']).select('id', 'area_m2');
      await moveCase(db.knex, Number(cases[0].id), toVerifiedIllegal);
      await moveCase(db.knex, Number(cases[1].id), toFalsePositive);
      return [{ id: Number(cases[0].id), area: Number(cases[0].area_m2) }, { id: Number(cases[1].id) }];
    });
    const out = join(dir, 'chips');
    const run = await runCli(['export', 'training-chips', '--out', out], undefined, env);
    expect(run.stderr).not.toContain('error');
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`2 training chips written to ${out}: 1 positive, 1 hard negative, 0 cases skipped\n`);

    const name = (id: number) => `case${id}_job1.png`;
    for (const part of ['A', 'B']) {
      const meta = await sharp(join(out, part, name(positive.id))).metadata();
      expect([meta.width, meta.height, meta.channels]).toEqual([256, 256, 3]);
    }
    const label = async (id: number) => sharp(join(out, 'label', name(id))).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
    const found = await label(positive.id);
    expect([found.info.width, found.info.height, (await sharp(join(out, 'label', name(positive.id))).metadata()).channels]).toEqual([256, 256, 1]);
    const expected = positive.area / 0.2 ** 2;
    expect(Math.abs(found.data.filter((v) => v === 255).length - expected) / expected).toBeLessThan(0.15);
    expect((await label(negative.id)).data.every((v) => v === 0)).toBe(true);
    const listing = JSON.parse(await readFile(join(out, 'chips.json'), 'utf8'));
    expect(listing.chips.map((c: { case_id: number; label: string }) => [c.case_id, c.label])).toEqual([[positive.id, 'positive'], [negative.id, 'hard_negative']].sort((a, b) => Number(a[0]) - Number(b[0])));

    const evaluated = await runCli(['eval-cd', out, '--threads', '2'], undefined, env);
    expect(evaluated.code).toBe(0);
    const scores = JSON.parse(evaluated.stdout.trim());
    expect(scores).toMatchObject({ dir: out, model: 'zhiwei-cd-v1', images: 2 });
    expect(scores.f1).toBeGreaterThanOrEqual(0);
  });

  it('refuses a case that has no verdict', async () => {
    const id = await cli.use(async (db) => Number((await db.knex('cases').where({ state: 'detected' }).orderBy('id').first('id')).id));
    const out = join(dir, 'unjudged');
    const run = await runCli(['export', 'training-chips', '--out', out, '--case', String(id)], undefined, env);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`case ${id} (detected) not verified illegal or false positive; nothing written`);
    expect(existsSync(out)).toBe(false);
  });
});
