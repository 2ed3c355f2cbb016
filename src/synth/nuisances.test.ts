/**
 * The generator's nuisances stay nuisances: crowns reconstructed differently in each flight,
 * vehicles that come and go, per-flight radiometry; and the changes they sit beside are in the
 * truth with the right sizes.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromFile } from 'geotiff';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crownReconstruction } from './dsm-artefacts.js';
import { jpegArtefacts } from './camera.js';
import { makeFrame, pointInPolygon, rectangle, toScene } from './geometry.js';
import { buildScene, generateScene } from './index.js';
import { hash2 } from './random.js';
import { shadeGround } from './shade-ground.js';
import { builtHeightAt } from './surface.js';
import { measureChange } from './truth.js';
import type { Car, FlightConditions, GroundPatch, Scene, Tree } from './types.js';
import { vehicleTop } from './vehicles.js';

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

describe('vehicles and sheds', () => {
  const scenes = [2, 8, 9].map((seed) => buildScene({ seed, size: 4096 }));
  const vehicles = scenes.flatMap((scene) => scene.objects.filter((o): o is Car => o.kind === 'car' && (o.body === 'van' || o.body === 'truck')).map((car) => ({ car, scene })));
  const sheds = scenes.flatMap((scene) => scene.changes.filter((c) => c.note.startsWith('prefab steel shed')).map((change) => ({ change, scene })));

  it('parks vans and trucks of their real sizes, some on one flight only, none on a changed footprint', () => {
    expect(vehicles.length).toBeGreaterThan(100);
    const oneFlight = vehicles.filter(({ car }) => car.presence.before !== car.presence.after);
    expect(oneFlight.length).toBeGreaterThan(40);
    for (const { car } of vehicles) {
      const [l, w, h] = car.body === 'van' ? [[5, 6], [2, 2.2], [2, 2.6]] : [[7, 10], [2.4, 2.55], [2.8, 3.8]];
      expect(car.length).toBeGreaterThanOrEqual(l[0]);
      expect(car.length).toBeLessThanOrEqual(l[1]);
      expect(car.width).toBeGreaterThanOrEqual(w[0]);
      expect(car.width).toBeLessThanOrEqual(w[1]);
      expect(car.height).toBeGreaterThanOrEqual(h[0]);
      expect(car.height).toBeLessThanOrEqual(h[1]);
    }
    // Every vehicle, cars and bikes included, stays off every truth polygon.
    for (const scene of scenes) {
      for (const o of scene.objects) {
        if (o.kind !== 'car' || !(o.presence.before || o.presence.after)) continue;
        for (let u = -o.length / 2; u <= o.length / 2; u += o.length / 8) {
          for (let v = -o.width / 2; v <= o.width / 2; v += o.width / 4) {
            const [x, y] = toScene(o.frame, u, v);
            const hit = scene.changes.find((c) => pointInPolygon(c.rings, x, y));
            expect(hit, `${o.body} ${o.id} on ${hit?.id} ${hit?.note}`).toBeUndefined();
          }
        }
      }
    }
  });

  it('gives vans a rounded roof and trucks a cab lower than their box, on the DSM', () => {
    const { car: van } = vehicles.find(({ car }) => car.body === 'van')!;
    const { car: truck } = vehicles.find(({ car }) => car.body === 'truck')!;
    expect(vehicleTop(van, -1, 0)).toBeCloseTo(van.height, 1);
    expect(vehicleTop(van, -1, van.width * 0.48)).toBeLessThan(van.height - 0.1);
    expect(vehicleTop(van, van.length / 2 - 0.2, 0)).toBeLessThan(van.height * 0.6);
    const cab = vehicleTop(truck, truck.length / 2 - 1, 0);
    expect(cab).toBeLessThan(truck.height - 0.4);
    expect(cab).toBeGreaterThan(2);
    expect(vehicleTop(truck, -truck.length / 4, 0)).toBe(truck.height);
  });

  it('puts new prefab steel sheds in the truth: 8-13 m², 2.8-4 m wide, up to 1:1.6, 2.4-3 m high, in many colours, some with a vehicle beside', () => {
    expect(sheds.length).toBeGreaterThan(8);
    const colours = new Set<string>();
    let beside = 0;
    for (const { change, scene } of sheds) {
      expect(change.changeKind).toBe('ground_structure');
      const m = measureChange(scene, change);
      expect(m.areaM2).toBeGreaterThanOrEqual(8);
      expect(m.areaM2).toBeLessThanOrEqual(13);
      // Sampled on a 0.2 m lattice, the top of a mono-pitch roof may be missed by a few centimetres.
      expect(m.heightChangeMaxM).toBeGreaterThanOrEqual(2.37);
      expect(m.heightChangeMaxM).toBeLessThanOrEqual(3);
      const [a, b, c] = change.rings[0];
      const sides = [Math.hypot(b[0] - a[0], b[1] - a[1]), Math.hypot(c[0] - b[0], c[1] - b[1])].sort((p, q) => p - q);
      expect(sides[0]).toBeGreaterThanOrEqual(2.8);
      expect(sides[0]).toBeLessThanOrEqual(4);
      expect(sides[1] / sides[0]).toBeLessThanOrEqual(1.6 + 1e-9);
      const shed = scene.objects.find((o) => o.kind === 'structure' && o.use === 'shed' && !o.presence.before && pointInPolygon(change.rings, o.frame.cx, o.frame.cy));
      if (shed?.kind === 'structure') colours.add(shed.colour.join());
      const [cx, cy] = [(a[0] + c[0]) / 2, (a[1] + c[1]) / 2];
      if (vehicles.some(({ car, scene: s }) => s === scene && Math.hypot(car.frame.cx - cx, car.frame.cy - cy) < sides[1] / 2 + car.length / 2 + 1.2)) beside += 1;
    }
    expect(colours.size).toBeGreaterThanOrEqual(4);
    expect(beside).toBeGreaterThan(2);
  });

  it('builds new construction in every roof material, and catches some buildings part-way', () => {
    const roofs = new Set<string>();
    const notes = scenes.flatMap((scene) => scene.changes.map((c) => c.note)).join('\n');
    for (const scene of scenes) {
      for (const o of scene.objects) if (o.kind === 'structure' && o.use === 'house' && o.presence.after && !o.presence.before) roofs.add(o.roof);
    }
    expect([...roofs].sort()).toEqual(['asphalt', 'flat', 'glazed', 'steel', 'tile']);
    for (const stage of ['site cleared', 'foundation slab', 'column frame', 'pitched roof built over the flat roof']) expect(notes).toContain(stage);
    const standing = new Set(scenes.flatMap((scene) => scene.objects.filter((o) => o.kind === 'structure' && o.presence.before).map((o) => (o.kind === 'structure' ? o.roof : ''))));
    for (const roof of ['tile', 'glazed', 'asphalt', 'steel', 'pv', 'flat']) expect(standing).toContain(roof);
  });
});

describe('ground and radiometry', () => {
  it('changes the crop or ploughs many fields between the flights', () => {
    const out = new Float32Array(4);
    let changed = 0;
    for (let id = 1; id <= 100; id++) {
      const patch = { kind: 'ground', id, layer: 2, material: 'vegetables', frame: makeFrame(50, 50, 0.3), footprint: rectangle(10, 20), raise: 0, tone: (id * 0.37) % 1, presence: { before: true, after: true }, bounds: [40, 35, 60, 65] } as GroundPatch;
      const mean = (epoch: 'before' | 'after') => {
        const sum = [0, 0, 0];
        for (let i = 0; i < 400; i++) {
          shadeGround(out, patch, 45 + (i % 20) * 0.5, 40 + Math.floor(i / 20) * 1.1, 9, 0.9, epoch);
          for (let c = 0; c < 3; c++) sum[c] += out[c] / 400;
        }
        return sum;
      };
      const [a, b] = [mean('before'), mean('after')];
      if (Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]) > 15) changed += 1;
    }
    expect(changed).toBeGreaterThan(25);
    expect(changed).toBeLessThan(90);
  });

  it('gives flights different cameras: saturation, blur, noise, seams, JPEG in some', () => {
    const flights = Array.from({ length: 30 }, (_, i) => buildScene({ seed: 100 + i, size: 256 }).flights).flatMap((f) => [f.before, f.after]);
    const spread = (key: 'saturation' | 'blur' | 'noise' | 'gamma' | 'haze') => Math.max(...flights.map((f) => f[key])) - Math.min(...flights.map((f) => f[key]));
    expect(spread('saturation')).toBeGreaterThan(0.3);
    expect(spread('blur')).toBeGreaterThan(0.7);
    expect(spread('noise')).toBeGreaterThan(2.5);
    expect(spread('gamma')).toBeGreaterThan(0.2);
    const jpeg = flights.filter((f) => f.jpegQuality !== null).length;
    expect(jpeg).toBeGreaterThan(15);
    expect(jpeg).toBeLessThan(45);
  });

  it('leaves 8x8 block edges in JPEG-compressed flights', () => {
    const [w, h] = [64, 64];
    const rgb = new Uint8Array(w * h * 3);
    for (let i = 0; i < w * h; i++) {
      const [x, y] = [i % w, Math.floor(i / w)];
      for (let c = 0; c < 3; c++) rgb[i * 3 + c] = Math.round(100 + 60 * Math.sin(x / 5 + c) * Math.cos(y / 7) + 20 * hash2(x, y, c));
    }
    const blockiness = (data: Uint8Array) => {
      let [across, within, nAcross, nWithin] = [0, 0, 0, 0];
      for (let y = 0; y < h; y++) {
        for (let x = 1; x < w; x++) {
          const d = Math.abs(data[(y * w + x) * 3 + 1] - data[(y * w + x - 1) * 3 + 1]);
          if (x % 8 === 0) [across, nAcross] = [across + d, nAcross + 1];
          else [within, nWithin] = [within + d, nWithin + 1];
        }
      }
      return across / nAcross / (within / nWithin);
    };
    const plain = blockiness(rgb);
    const compressed = Uint8Array.from(rgb);
    jpegArtefacts(compressed, w, h, 35);
    expect(blockiness(compressed)).toBeGreaterThan(plain + 0.3);
    let error = 0;
    for (let i = 0; i < rgb.length; i++) error += Math.abs(rgb[i] - compressed[i]) / rgb.length;
    expect(error).toBeGreaterThan(2);
    expect(error).toBeLessThan(20);
  });
});

describe('a scene with no built change', () => {
  it('has an empty truth, nothing built or demolished, and still its nuisances and plans; byte for byte the same again', async () => {
    const [a, b] = [await mkdtemp(join(tmpdir(), 'zhiwei-nochange-')), await mkdtemp(join(tmpdir(), 'zhiwei-nochange-'))];
    dirs.push(a, b);
    const { scene } = await generateScene({ outDir: a, seed: 12, size: 512, changes: false });
    await generateScene({ outDir: b, seed: 12, size: 512, changes: false });
    expect(JSON.parse(await readFile(join(a, 'truth.geojson'), 'utf8')).features).toEqual([]);
    expect(JSON.parse(await readFile(join(a, 'scene.json'), 'utf8')).with_changes).toBe(false);
    expect(JSON.parse(await readFile(join(a, 'plans.geojson'), 'utf8')).features.length).toBeGreaterThan(0);
    for (const o of scene.objects) if (o.kind === 'structure') expect(o.presence.before, `${o.use} ${o.id}`).toBe(o.presence.after);
    const coming = scene.objects.filter((o) => o.kind === 'car' && o.presence.before !== o.presence.after);
    expect(coming.length).toBeGreaterThan(0);
    for (const file of ['before/ortho.tif', 'after/ortho.tif', 'before/dsm.tif', 'after/dsm.tif', 'truth.geojson', 'scene.json']) {
      expect(Buffer.compare(await readFile(join(a, file)), await readFile(join(b, file))), file).toBe(0);
    }
    expect(buildScene({ seed: 12, size: 512 }).changes.length).toBeGreaterThan(0);
  });
});

