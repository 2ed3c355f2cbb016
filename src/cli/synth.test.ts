import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHANGE_KINDS } from '../vocabulary.js';
import { runCli } from '../test-support/cli.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'zhiwei-synth-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('zhiwei synth --chips', () => {
  it('writes LEVIR-CD-style chips at the chip GSD, with labels from the truth, and no scene left behind', async () => {
    const chips = join(dir, 'chips');
    // a temporary folder of the command's own, so that other test files' scratch does not count
    const tmp = join(dir, 'tmp');
    await mkdir(tmp);
    const { code, stdout } = await runCli(['synth', '--chips', chips, '--seed', '3', '--size', '1024'], undefined, { TMPDIR: tmp });
    expect(code).toBe(0);
    expect(stdout).toMatch(/chips: 4 of 256 px at 0.2 m/);
    const names = await readdir(join(chips, 'A'));
    expect(names.sort()).toEqual(['s3_r0_c0.png', 's3_r0_c1.png', 's3_r1_c0.png', 's3_r1_c1.png']);
    expect((await readdir(join(chips, 'B'))).sort()).toEqual(names.sort());
    let changed = 0;
    const kindsSeen = new Set<string>();
    for (const name of names) {
      const labelFile = await sharp(join(chips, 'label', name)).metadata();
      expect([labelFile.width, labelFile.height, labelFile.channels]).toEqual([256, 256, 1]);
      const label = await sharp(join(chips, 'label', name)).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
      expect(label.data.every((v) => v === 0 || v === 255)).toBe(true);
      changed += label.data.filter((v) => v === 255).length;
      // kind/ is the same mask by change kind (codes 1-6)
      const kind = await sharp(join(chips, 'kind', name)).extractChannel(0).raw().toBuffer();
      expect(kind.every((v, i) => (v === 0) === (label.data[i] === 0) && v <= CHANGE_KINDS.length)).toBe(true);
      for (const v of kind) if (v) kindsSeen.add(CHANGE_KINDS[v - 1]);
      const after = await sharp(join(chips, 'B', name)).metadata();
      expect([after.width, after.height, after.channels]).toEqual([256, 256, 3]);
    }
    expect(changed).toBeGreaterThan(0);
    expect(kindsSeen.size).toBeGreaterThan(1);
    // (tsx keeps its cache there too)
    expect((await readdir(tmp)).filter((name) => name.startsWith('zhiwei-'))).toEqual([]);
  });

  it('needs --out or --chips', async () => {
    const { code, stderr } = await runCli(['synth', '--seed', '1', '--size', '256']);
    expect(code).toBe(2);
    expect(stderr).toContain('--out DIR, --chips DIR or both');
  });
});
