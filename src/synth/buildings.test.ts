import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pointInPolygon, polygonArea, ringsBounds, type Ring } from './geometry.js';
import { buildScene } from './scene.js';
import type { ApprovedPlan, Structure } from './types.js';
import { writeVectorFiles } from './vector-files.js';

// A scene of 205 m, as the benches use (seed 3005 is one of the held-out ones).
const scene = buildScene({ seed: 3005, size: 2048 });
const plans = [...scene.plans, ...scene.buildingPlans];

/** Share of a building lying within `tolerance` metres of a plan (the overlay widens plans by 1 m), on a 0.25 m lattice. */
function shareNear(polygons: readonly Ring[][], plan: ApprovedPlan, tolerance: number): number {
  let inside = 0;
  let all = 0;
  for (const rings of polygons) {
    const [x0, y0, x1, y1] = ringsBounds(rings);
    for (let y = y0 + 0.125; y < y1; y += 0.25) {
      for (let x = x0 + 0.125; x < x1; x += 0.25) {
        if (!pointInPolygon(rings, x, y)) continue;
        all += 1;
        if (pointInPolygon(plan.rings, x, y) || distanceToRing(plan.rings[0], x, y) <= tolerance) inside += 1;
      }
    }
  }
  return inside / all;
}

function distanceToRing(ring: Ring, x: number, y: number): number {
  let best = Infinity;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [ax, ay] = ring[j];
    const [bx, by] = ring[i];
    const t = Math.max(0, Math.min(1, ((x - ax) * (bx - ax) + (y - ay) * (by - ay)) / ((bx - ax) ** 2 + (by - ay) ** 2)));
    best = Math.min(best, Math.hypot(x - ax - t * (bx - ax), y - ay - t * (by - ay)));
  }
  return best;
}

const top = (s: Structure) => s.base + s.height + s.rise;

describe('standing buildings of a generated scene', () => {
  it('are the houses, blocks, warehouses and sheds standing on the ground on the after flight, each once', () => {
    const standing = scene.objects.filter(
      (o): o is Structure => o.kind === 'structure' && o.presence.after && o.base === 0 && ['house', 'apartment', 'warehouse', 'shed'].includes(o.use),
    );
    const inBuildings = scene.buildings.flatMap((b) => b.structures.filter((s) => s.base === 0));
    expect(inBuildings.map((s) => s.id).sort()).toEqual(standing.map((s) => s.id).sort());
    expect(scene.buildings.length).toBeGreaterThan(150);
    expect(new Set(scene.buildings.map((b) => b.id)).size).toBe(scene.buildings.length);
    for (const b of scene.buildings) expect(b.rooftop.every((r) => ['stair_room', 'shed', 'house', 'water_tank'].includes(r.structure.use))).toBe(true);
  });

  it('measure flat roofs at the eaves, pitched roofs between eaves and ridge, and floors as built', () => {
    for (const b of scene.buildings) {
      if (b.roofForm === 'flat' && b.structures.every((s) => s.rise === 0)) expect(b.roofHeightM).toBeCloseTo(b.eavesHeightM, 1);
      if (b.roofForm === 'pitched') {
        expect(b.roofHeightM).toBeGreaterThan(b.eavesHeightM);
        expect(b.roofHeightM).toBeLessThan(b.roofHeightMaxM);
      }
      // village storeys are 3.1 m, plus a 0.3 m plinth
      if (b.use === 'house' && b.floors > 1) expect(b.eavesHeightM / b.floors).toBeGreaterThan(3.1);
      if (b.use === 'house' && b.floors > 1) expect(b.eavesHeightM / b.floors).toBeLessThan(3.3);
      expect(b.areaM2).toBeCloseTo(b.polygons.reduce((sum, p) => sum + polygonArea(p), 0), 6);
    }
    const stairRooms = scene.buildings.flatMap((b) => (b.roofForm === 'flat' ? b.rooftop.filter((r) => r.structure.use === 'stair_room') : []));
    expect(stairRooms.length).toBeGreaterThan(50);
    for (const r of stairRooms) expect(r.heightAboveRoofM).toBeGreaterThanOrEqual(2.6 - 1e-9);
  });

  it('are illegal in 10-20 %, of each violation, and the plans say so as the overlay reads them', () => {
    const illegal = scene.buildings.filter((b) => !b.legal);
    expect(illegal.length / scene.buildings.length).toBeGreaterThan(0.1);
    expect(illegal.length / scene.buildings.length).toBeLessThan(0.2);
    expect(new Set(illegal.map((b) => b.violation))).toEqual(new Set(['no_permit', 'exceeds_permitted_height', 'outside_permitted_footprint', 'permit_expired']));
    const plan = (permitNo: string | null) => plans.find((p) => p.permitNo === permitNo) as ApprovedPlan;
    for (const b of scene.buildings.filter((x) => x.changeId === null && !x.note.startsWith('inside exempt zone'))) {
      const [x0, y0, x1, y1] = ringsBounds(b.polygons[0]);
      const near = plans.filter((p) => {
        const [px0, py0, px1, py1] = ringsBounds(p.rings);
        return px0 < x1 + 1 && x0 - 1 < px1 && py0 < y1 + 1 && y0 - 1 < py1;
      });
      const within = near.filter((p) => shareNear(b.polygons, p, 1) >= 0.5);
      if (b.violation === 'no_permit') expect(within).toEqual([]);
      else if (b.note.startsWith('permit for')) {
        expect(plan(b.permitNo).permittedFloors).toBeLessThan(b.floors);
        expect(plan(b.permitNo).permittedHeight + 1.5).toBeLessThan(b.roofHeightM);
      } else if (b.violation === 'outside_permitted_footprint') {
        // 60-70 %, so that a misregistration of up to 0.8 m keeps it within 50-80 %
        expect(shareNear(b.polygons, plan(b.permitNo), 1)).toBeGreaterThan(0.58);
        expect(shareNear(b.polygons, plan(b.permitNo), 1)).toBeLessThan(0.72);
      } else if (b.legal) {
        // the plan it was built to permits it as built, stair rooms and tanks on its roof included (with the overlay's 0.5 m tolerance)
        const governing = plan(b.permitNo);
        expect(within).toContain(governing);
        expect(shareNear(b.polygons, governing, 1)).toBe(1);
        expect(governing.permittedHeight + 0.5).toBeGreaterThanOrEqual(Math.max(b.roofHeightMaxM, ...b.rooftop.map((r) => top(r.structure))));
        if (governing.permittedFloors !== undefined) expect(governing.permittedFloors).toBe(b.floors);
      }
    }
  });

  it('carry the violation of the change that built or altered them, as truth.geojson has it', () => {
    const changed = scene.buildings.filter((b) => b.changeId !== null);
    expect(changed.length).toBeGreaterThan(5);
    for (const b of changed) {
      const change = scene.changes.find((c) => c.id === b.changeId)!;
      if (change.violation !== 'none') expect([b.violation, b.permitNo]).toEqual([change.violation, change.permitNo]);
    }
    const byKind = new Set(changed.map((b) => scene.changes.find((c) => c.id === b.changeId)!.changeKind));
    expect([...byKind].sort()).toEqual(expect.arrayContaining(['new_building', 'rooftop_addition']));
  });

  it('are written as the after rasters show them: those the scene edge cuts in part, marked, and none of those beyond it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'zhiwei-buildings-'));
    try {
      await writeVectorFiles(scene, dir);
      const written = JSON.parse(await readFile(join(dir, 'buildings.geojson'), 'utf8')).features as { properties: { id: string; area_m2: number; at_scene_edge?: boolean } }[];
      const model = new Map(scene.buildings.map((b) => [b.id, b]));
      const cut = written.filter((f) => f.properties.at_scene_edge);
      expect(cut.length).toBeGreaterThan(5);
      for (const f of cut) expect(f.properties.area_m2).toBeLessThan(model.get(f.properties.id)!.areaM2);
      for (const f of written.filter((w) => !w.properties.at_scene_edge)) expect(f.properties.area_m2).toBeCloseTo(model.get(f.properties.id)!.areaM2, 1);
      const inside = scene.buildings.filter((b) => b.polygons.every((p) => p[0].every(([x, y]) => x > 1 && y > 1 && x < scene.extent - 1 && y < scene.extent - 1)));
      expect(written.length).toBeGreaterThanOrEqual(inside.length + cut.length);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
