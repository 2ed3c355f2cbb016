/**
 * Zones (a main-road corridor of priority, a historic quarter, an exempt licensed construction
 * site) and the responsibility grid (网格) of the scene, as polygons in scene metres.
 */
import polygonClipping, { type Polygon } from 'polygon-clipping';
import { boxFootprint, childFrame, footprintRings, makeFrame, polygonArea, rectangle, type Ring } from './geometry.js';
import type { Layout } from './layout.js';
import type { Random } from './random.js';
import type { Grid, SceneChange, Zone } from './types.js';

const streets = ['五常街道', '闲林街道', '仓前街道', '良渚街道', '余杭街道', '中泰街道'];
const communities = ['文一村', '洪园村', '永福村', '荆山社区', '方家村', '联胜村', '西溪社区', '蒋村', '吴山村', '里山社区', '民丰村', '顺丰社区'];
const surnames = ['王', '李', '张', '刘', '陈', '杨', '黄', '赵', '吴', '周', '徐', '孙', '沈', '朱', '胡', '俞'];
const givenNames = ['伟', '芳', '建国', '丽', '军', '敏', '海燕', '志强', '静', '晓东', '红', '磊', '秀英', '斌', '杰', '婷'];

/** Zones drawn from the layout: one priority corridor per main road, a historic quarter, exempt sites. */
export function makeZones(layout: Layout, extent: number, rng: Random): Zone[] {
  const zones: Zone[] = [];
  const add = (kind: Zone['kind'], priorityWeight: number, name: string, rings: Ring[]) =>
    zones.push({ zoneId: `Z${String(zones.length + 1).padStart(3, '0')}`, kind, priorityWeight, name, rings });
  for (const road of layout.roads) {
    const half = road.carriageway / 2 + road.sidewalk + 30;
    const corridor = footprintRings(road.frame, rectangle(Math.min(road.length, extent * 1.6), 2 * half));
    if (overlapsScene(corridor, extent)) add('priority', 2, '主干道沿线重点管控区', corridor);
  }
  const villages = layout.districts.filter((d) => d.use === 'village');
  if (villages.length > 0) {
    const { district } = rng.pick(villages);
    const w = district.width * rng.range(0.3, 0.5);
    const d = district.depth * rng.range(0.3, 0.5);
    const frame = childFrame(district.frame, rng.range(-0.25, 0.25) * district.width, rng.range(-0.25, 0.25) * district.depth);
    add('historic', 1.5, '老街历史风貌区', footprintRings(frame, rectangle(w, d)));
  }
  for (const { district } of layout.districts.filter((d) => d.use === 'construction')) {
    add('exempt', 0, '持证施工工地', footprintRings(district.frame, rectangle(district.width, district.depth)));
  }
  if (!zones.some((z) => z.kind === 'exempt')) {
    const side = Math.min(60, extent * 0.2);
    const frame = makeFrame(rng.range(side, extent - side), rng.range(side, extent - side), 0);
    add('exempt', 0, '临时用地许可区', footprintRings(frame, boxFootprint([-side / 2, -side / 2, side / 2, side / 2])));
  }
  return zones;
}

/** A regular responsibility grid: about 300 m cells, at least 2 x 2. */
export function makeGrids(extent: number, rng: Random): Grid[] {
  const n = Math.max(2, Math.round(extent / 300));
  const cell = extent / n;
  const street = rng.pick(streets);
  const grids: Grid[] = [];
  for (let j = 0; j < n; j++) {
    for (let i = 0; i < n; i++) {
      const [x0, y0, x1, y1] = [i * cell, j * cell, (i + 1) * cell, (j + 1) * cell];
      grids.push({
        gridId: `WG-${String(n - j).padStart(2, '0')}-${String(i + 1).padStart(2, '0')}`,
        street,
        community: communities[(i + j * n + rng.int(0, 3)) % communities.length],
        officer: rng.pick(surnames) + rng.pick(givenNames),
        rings: [[[x0, y0], [x1, y0], [x1, y1], [x0, y1]]],
      });
    }
  }
  return grids;
}

/**
 * Changes at least half inside an exempt zone (a licensed construction site) are not violations,
 * whatever their permits say: the overlay treats them so (DESIGN.md section 2, zones). The share
 * is taken where the change appears on the after rasters (moved by `shift`), as truth.geojson
 * has it, so that a change across a zone's edge is judged the same way in truth and by the overlay.
 */
export function exemptChanges(changes: readonly SceneChange[], zones: readonly Zone[], shift: readonly [number, number]): SceneChange[] {
  const exempt = zones.filter((z) => z.kind === 'exempt');
  return changes.map((change) => {
    if (change.violation === 'none') return change;
    const seen = change.rings.map((ring) => ring.map(([x, y]): [number, number] => [x + shift[0], y + shift[1]]));
    const zone = exempt.find((z) => {
      const shared = polygonClipping.intersection(seen as Polygon, z.rings as Polygon);
      return shared.reduce((sum, rings) => sum + polygonArea(rings as Ring[]), 0) >= 0.5 * polygonArea(seen);
    });
    return zone ? { ...change, violation: 'none', note: `${change.note}; inside exempt zone ${zone.zoneId} (${zone.name})` } : change;
  });
}

function overlapsScene(rings: Ring[], extent: number): boolean {
  const xs = rings[0].map((p) => p[0]);
  const ys = rings[0].map((p) => p[1]);
  return Math.max(...xs) > 0 && Math.min(...xs) < extent && Math.max(...ys) > 0 && Math.min(...ys) < extent;
}
