import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { zipBomb } from '../../../../../test-support/zip-bomb.js';
import { checkZipInflatedSize } from './zip-limit.js';

describe('the cap on what an uploaded zip inflates to', () => {
  let dir: string;
  const check = async (zip: Uint8Array) => {
    const path = join(dir, 'layer.zip');
    await writeFile(path, zip);
    return checkZipInflatedSize(path, 'plans.zip');
  };
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'zhiwei-zip-limit-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('passes a zip of stored and deflated entries within the cap', async () => {
    const text = new TextEncoder().encode('permit_no,kind\n'.repeat(10_000));
    await expect(check(zipSync({ 'plans/plans.dbf': text, 'plans/plans.prj': [text.subarray(0, 100), { level: 0 }], 'plans/': new Uint8Array(0) }))).resolves.toBeUndefined();
  });

  it('refuses with 413 a zip declaring more than the cap, before inflating anything', async () => {
    await expect(check(zipBomb('plans.dbf', 1, 4000 * 1024 * 1024))).rejects.toMatchObject({
      statusCode: 413, message: 'file: plans.zip declares 4000 MB inflated; a zipped layer may inflate to 200 MB at most',
    });
  });

  it('refuses with 413 a zip whose entry inflates past the cap though it declares less, stopping at the cap', async () => {
    await expect(check(zipBomb('plans.dbf', 201, 1000))).rejects.toMatchObject({
      statusCode: 413, message: 'file: plans.zip inflates to more than 200 MB (stopped in plans.dbf), the most a zipped layer may inflate to',
    });
  });

  it('refuses a zip cut short or with a corrupt entry as bad input', async () => {
    const whole = zipSync({ 'plans.dbf': new TextEncoder().encode('x'.repeat(5000)) });
    await expect(check(whole.subarray(0, whole.length - 30))).rejects.toMatchObject({ kind: 'bad_input', message: expect.stringMatching(/^plans.zip: not a readable zip file/) });
    const corrupt = Buffer.from(zipBomb('plans.dbf', 1));
    corrupt.fill(0xff, 40, 60);
    await expect(check(corrupt)).rejects.toMatchObject({ kind: 'bad_input', message: expect.stringMatching(/^plans.zip: not a readable zip file \(plans.dbf: /) });
  });
});
