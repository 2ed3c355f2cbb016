import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { generateScene } from '../src/synth/index.js';

const fixture = fileURLToPath(new URL('../fixtures/scene/', import.meta.url));
const files = [
  'before/ortho.tif', 'before/dsm.tif', 'before/dtm.tif', 'after/ortho.tif', 'after/dsm.tif', 'plans.geojson', 'building-plans.geojson', 'grids.geojson', 'zones.geojson', 'truth.geojson',
  'buildings.geojson', 'rooftop-structures.geojson', 'scene.json',
];
let dir: string | undefined;

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('fixtures/scene', () => {
  it('is what `npm run fixtures` makes with the current generator (run it after changing the generator)', async () => {
    dir = await mkdtemp(join(tmpdir(), 'zhiwei-fixture-'));
    await generateScene({ outDir: dir, seed: 7, size: 1024, gsd: 0.2 });
    for (const file of files) {
      const [committed, regenerated] = await Promise.all([readFile(join(fixture, file)), readFile(join(dir, file))]);
      expect(Buffer.compare(committed, regenerated), file).toBe(0);
    }
  });
});
