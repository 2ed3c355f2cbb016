/**
 * The generator's nuisances stay nuisances: crowns reconstructed differently in each flight,
 * vehicles that come and go, per-flight radiometry; and the changes they sit beside are in the
 * truth with the right sizes.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromFile } from 'geotiff';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crownReconstruction } from './dsm-artefacts.js';
import { generateScene } from './index.js';
import { builtHeightAt } from './surface.js';
import type { FlightConditions, Scene, Tree } from './types.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

interface Raster {
  data: Float32Array;
  width: number;
}

async function readDsm(path: string): Promise<Raster> {
  const image = await (await fromFile(path)).getImage();
  return { data: (await image.readRasters({ interleave: true })) as unknown as Float32Array, width: image.getWidth() };
}

/** DSM height change at scene point (x, y) between the flights, offset and tilt removed; NaN on nodata. */
function dsmChange(scene: Scene, before: Raster, after: Raster): (x: number, y: number) => { change: number; holes: [boolean, boolean] } {
  const gsd = scene.gsd * 2;
  const f = scene.flights.after;
  const at = (r: Raster, x: number, y: number) => {
    const col = Math.floor(x / gsd);
    const row = Math.floor((scene.extent - y) / gsd);
    if (col < 0 || row < 0 || col >= r.width || row >= r.width) return Number.NaN;
    const v = r.data[row * r.width + col];
    return v === -9999 ? Number.NaN : v;
  };
  return (x, y) => {
    const [mx, my] = [x + f.shift[0], y + f.shift[1]];
    const a = at(after, mx, my) - f.dsmOffset - f.dsmTilt[0] * (mx - scene.extent / 2) - f.dsmTilt[1] * (my - scene.extent / 2);
    const b = at(before, x, y);
    return { change: a - b, holes: [Number.isNaN(b), Number.isNaN(a)] };
  };
}

const rms = (values: number[]) => Math.sqrt(values.reduce((s, v) => s + v * v, 0) / values.length);

describe('nuisances of the synthetic scene', () => {
  let dir: string;
  let scene: Scene;
  let change: ReturnType<typeof dsmChange>;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'zhiwei-nuisance-'));
    dirs.push(dir);
    ({ scene } = await generateScene({ outDir: dir, seed: 3, size: 768 }));
    change = dsmChange(scene, await readDsm(join(dir, 'before/dsm.tif')), await readDsm(join(dir, 'after/dsm.tif')));
  }, 60_000);

  it('reconstructs tree crowns 0.5-2 m apart (RMS) between the flights, with holes of their own', () => {
    const inside = (t: Tree) => t.x > t.radius[1] && t.y > t.radius[1] && t.x < scene.extent - t.radius[1] && t.y < scene.extent - t.radius[1];
    const trees = scene.objects.filter((o): o is Tree => o.kind === 'tree' && o.presence.before && o.presence.after && inside(o));
    expect(trees.length).toBeGreaterThan(10);
    const changes: number[] = [];
    let samples = 0;
    let oneSided = 0;
    for (const t of trees) {
      const r = 0.6 * t.radius[0];
      for (let dx = -r; dx <= r; dx += 0.2) {
        for (let dy = -r; dy <= r; dy += 0.2) {
          if (dx * dx + dy * dy > r * r) continue;
          const { change: d, holes } = change(t.x + dx, t.y + dy);
          samples += 1;
          if (holes[0] !== holes[1]) oneSided += 1;
          // Less the crown's true growth there.
          const grown = (t.height[1] - t.height[0]) * (0.5 + 0.5 * Math.sqrt(1 - (dx * dx + dy * dy) / (t.radius[0] * t.radius[0])));
          if (!Number.isNaN(d)) changes.push(d - grown);
        }
      }
    }
    // Identically reconstructed crowns come out near 0.5 m from leaf fall and per-flight holes alone.
    expect(rms(changes)).toBeGreaterThan(0.7);
    expect(rms(changes)).toBeLessThan(2);
    // Holes in a crown on one flight are mostly not holes on the other.
    expect(oneSided / samples).toBeGreaterThan(0.03);
  });

  it('keeps unchanged roofs and open ground within 0.15 m (RMS) between the flights', () => {
    const structures = scene.objects.filter((o) => o.kind === 'structure');
    const movable = scene.objects.filter((o) => (o.kind === 'tree' || o.kind === 'car') && (o.presence.before || o.presence.after));
    const near = (x: number, y: number, m: number) => movable.some((o) => o.bounds[0] - m < x && x < o.bounds[2] + m && o.bounds[1] - m < y && y < o.bounds[3] + m);
    const roofs: number[] = [];
    const ground: number[] = [];
    for (let x = 2; x < scene.extent - 2; x += 0.8) {
      for (let y = 2; y < scene.extent - 2; y += 0.8) {
        const h = builtHeightAt(structures, 'before', x, y);
        // Flat and unchanged for 1.5 m around (edges are smoothed and the flights misregistered).
        const around = [[0, 0], [1.5, 0], [-1.5, 0], [0, 1.5], [0, -1.5], [1, 1], [-1, -1], [1, -1], [-1, 1]];
        if (!around.every(([dx, dy]) => (['before', 'after'] as const).every((e) => Math.abs(builtHeightAt(structures, e, x + dx, y + dy) - h) < 0.01))) continue;
        if (near(x, y, 1)) continue;
        const d = change(x, y).change;
        if (!Number.isNaN(d)) (h > 2 ? roofs : ground).push(d);
      }
    }
    expect(roofs.length).toBeGreaterThan(200);
    expect(ground.length).toBeGreaterThan(200);
    expect(rms(roofs)).toBeLessThan(0.15);
    expect(rms(ground)).toBeLessThan(0.15);
  });

  it('reconstructs bare winter crowns lower and with more holes than leafy ones', () => {
    const flight = (season: FlightConditions['season']) => ({ season }) as FlightConditions;
    const tree = (id: number, evergreen: boolean): Tree => ({
      kind: 'tree', id, x: 0, y: 0, groundZ: 0, radius: [3, 3], height: [8, 8], colour: [70, 100, 50], evergreen, tone: 0.5,
      presence: { before: true, after: true }, bounds: [-4, -4, 4, 4],
    });
    const mean = (season: FlightConditions['season'], evergreen: boolean, key: 'bias' | 'holeAbove') =>
      Array.from({ length: 200 }, (_, i) => crownReconstruction(tree(i + 1, evergreen), flight(season), 77)[key]).reduce((s, v) => s + v, 0) / 200;
    expect(mean('winter', false, 'bias')).toBeLessThan(mean('summer', false, 'bias') - 1);
    expect(mean('winter', false, 'holeAbove')).toBeLessThan(mean('summer', false, 'holeAbove') - 0.1);
    expect(mean('winter', true, 'bias')).toBeCloseTo(mean('summer', true, 'bias'), 6);
  });
});
