/**
 * The scene layout: a grid of main roads, slightly rotated against north, whose blocks become
 * districts (village, fields, warehouses, apartments, construction site), each laid out in turn.
 */
import type { SceneBuilder } from './builder.js';
import { boundsOverlap, childFrame, frameBounds, makeFrame } from './geometry.js';
import { layoutApartments, layoutConstruction, layoutFarmland, layoutIndustrial } from './layout-districts.js';
import { layoutMainRoad, type MainRoad } from './layout-roads.js';
import { layoutVillage, type District } from './layout-village.js';

/** What a district is used for. */
export type LandUse = 'village' | 'farmland' | 'industrial' | 'apartments' | 'construction';

/** The roads and districts of a laid-out scene (for zones and grids). */
export interface Layout {
  readonly roads: MainRoad[];
  readonly districts: { district: District; use: LandUse }[];
}

/** Lays out roads and districts over the whole scene. */
export function layoutScene(b: SceneBuilder): Layout {
  const rng = b.rng;
  const extent = b.extent;
  const theta = rng.chance(0.3) ? rng.normal(0, 0.03) : rng.range(-0.4, 0.4);
  const centre = makeFrame(extent / 2, extent / 2, theta);
  const reach = extent * 0.72 + 60;
  const across = roadPositions(b, reach);
  const along = roadPositions(b, reach);
  const roads = [
    ...across.map((r) => ({ ...r, frame: childFrame(centre, r.at, 0, Math.PI / 2) })),
    ...along.map((r) => ({ ...r, frame: childFrame(centre, 0, r.at) })),
  ].map(({ frame, width, sidewalk, lanes }) => ({ frame, length: 2 * reach, carriageway: width, sidewalk, lanes }));
  const districts: Layout['districts'] = [];
  const scene: [number, number, number, number] = [0, 0, extent, extent];
  for (const [u0, u1] of gaps(across, reach)) {
    for (const [v0, v1] of gaps(along, reach)) {
      const district = { frame: childFrame(centre, (u0 + u1) / 2, (v0 + v1) / 2, rng.normal(0, 0.02)), width: u1 - u0, depth: v1 - v0 };
      const use = u0 <= 0 && u1 >= 0 && v0 <= 0 && v1 >= 0 ? 'village' : pickLandUse(b, district);
      if (district.width < 20 || district.depth < 20) continue;
      if (!boundsOverlap(frameBounds(district.frame, [[-district.width / 2, -district.depth / 2, district.width / 2, district.depth / 2]]), scene)) continue;
      districts.push({ district, use });
      layoutDistrict(b, district, use);
    }
  }
  for (const road of roads) layoutMainRoad(b, road);
  return { roads, districts };
}

interface RoadLine {
  at: number;
  width: number;
  sidewalk: number;
  lanes: number;
}

/** Main road centre lines across [-reach, reach], 150-320 m apart, one of them near the centre. */
function roadPositions(b: SceneBuilder, reach: number): RoadLine[] {
  const rng = b.rng;
  const anchor = rng.range(-0.45, 0.45) * Math.max(b.extent, 220);
  const spacing = () => rng.range(150, 320);
  const at: number[] = [anchor];
  for (let p = anchor - spacing(); p > -reach; p -= spacing()) at.unshift(p);
  for (let p = anchor + spacing(); p < reach; p += spacing()) at.push(p);
  return at.map((p) => {
    const lanes = rng.weighted([[2, 5], [4, 4], [6, 1]]);
    return { at: p, width: lanes * rng.range(3.3, 3.75) + (lanes > 2 ? 0.5 : 0), sidewalk: rng.range(2.5, 4.5), lanes };
  });
}

/** The spans between consecutive roads (and the edges of the layout). */
function gaps(roads: RoadLine[], reach: number): [number, number][] {
  const edges: [number, number][] = [[-reach, 0], ...roads.map((r): [number, number] => [r.at, r.width / 2 + r.sidewalk]), [reach, 0]];
  const spans: [number, number][] = [];
  for (let i = 1; i < edges.length; i++) spans.push([edges[i - 1][0] + edges[i - 1][1], edges[i][0] - edges[i][1]]);
  return spans;
}

function pickLandUse(b: SceneBuilder, district: District): LandUse {
  const small = district.width * district.depth < 20000;
  return b.rng.weighted<LandUse>([['village', 62], ['farmland', 12], ['industrial', 10], ['apartments', 9], ['construction', small ? 5 : 1]]);
}

function layoutDistrict(b: SceneBuilder, district: District, use: LandUse): void {
  if (use === 'village') layoutVillage(b, district);
  else if (use === 'farmland') layoutFarmland(b, district);
  else if (use === 'industrial') layoutIndustrial(b, district);
  else if (use === 'apartments') layoutApartments(b, district);
  else layoutConstruction(b, district);
}
