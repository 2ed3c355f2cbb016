/**
 * The vector outputs: plans, grids, zones and truth as RFC 7946 GeoJSON (WGS84 longitude/latitude,
 * outer rings counter-clockwise, with a `crs_source` foreign member naming the scene CRS), and
 * scene.json describing the flights and counts.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { toWgs84 } from '../geo/crs.js';
import polygonClipping, { type MultiPolygon, type Polygon } from 'polygon-clipping';
import type { RegisteredBuilding } from './building-register.js';
import { footprintRings, polygonArea, type Ring } from './geometry.js';
import { measureChange } from './truth.js';
import type { ApprovedPlan, Scene } from './types.js';

/**
 * Writes plans.geojson, building-plans.geojson, grids.geojson, zones.geojson, truth.geojson,
 * buildings.geojson, rooftop-structures.geojson and scene.json; returns their paths.
 */
export async function writeVectorFiles(scene: Scene, outDir: string): Promise<string[]> {
  const project = toWgs84(scene.epsg);
  const [e0, n0] = scene.origin;
  const [sx, sy] = scene.flights.after.shift;
  const geometry = (rings: readonly Ring[], dx = 0, dy = 0) => ({
    type: 'Polygon',
    coordinates: rings.map((ring) => [...ring, ring[0]].map(([x, y]) => project([e0 + x + dx, n0 + y + dy]).map((v) => Math.round(v * 1e9) / 1e9))),
  });
  const collection = (features: object[]) => JSON.stringify({ type: 'FeatureCollection', crs_source: `EPSG:${scene.epsg}`, features }, null, 1) + '\n';
  const feature = (properties: object, rings: readonly Ring[], dx = 0, dy = 0) => ({ type: 'Feature', properties, geometry: geometry(rings, dx, dy) });
  const plans = (list: readonly ApprovedPlan[]) =>
    collection(
      list.map((p) =>
        feature(
          {
            permit_no: p.permitNo, kind: p.kind, permitted_height_m: p.permittedHeight, ...(p.permittedFloors === undefined ? {} : { permitted_floors: p.permittedFloors }),
            valid_from: p.validFrom, valid_to: p.validTo, area_m2: round(polygonArea(p.rings), 1),
          },
          p.rings,
        ),
      ),
    );
  const multi = (polygons: readonly Ring[][], dx: number, dy: number) => ({
    type: 'Feature',
    geometry: polygons.length === 1 ? geometry(polygons[0], dx, dy) : { type: 'MultiPolygon', coordinates: polygons.map((p) => geometry(p, dx, dy).coordinates) },
  });
  const files: Record<string, string> = {
    'plans.geojson': plans(scene.plans),
    'building-plans.geojson': plans(scene.buildingPlans),
    'grids.geojson': collection(scene.grids.map((g) => feature({ grid_id: g.gridId, street: g.street, community: g.community, officer: g.officer }, g.rings))),
    'zones.geojson': collection(scene.zones.map((z) => feature({ zone_id: z.zoneId, kind: z.kind, priority: z.priorityWeight, name: z.name }, z.rings))),
    'truth.geojson': collection(
      scene.changes.map((c) => {
        const m = measureChange(scene, c);
        const small = m.areaM2 < 10 || Math.abs(m.heightChangeM) < 2;
        return feature(
          {
            id: c.id, change_kind: c.changeKind, violation: c.violation, area_m2: round(m.areaM2, 1), height_change_m: round(m.heightChangeM, 2),
            height_change_max_m: round(m.heightChangeMaxM, 2), height_after_m: round(m.heightAfterM, 2), permit_no: c.permitNo, below_usual_thresholds: small, note: c.note,
          },
          c.rings,
          sx,
          sy,
        );
      }),
    ),
    'buildings.geojson': collection(
      scene.buildings.flatMap((b) => {
        const seen = onRasters(b.polygons, scene.extent, [sx, sy]);
        if (seen.polygons.length === 0) return [];
        const cut = seen.cut ? { area_m2: round(seen.polygons.reduce((sum, p) => sum + polygonArea(p), 0), 1), at_scene_edge: true } : {};
        return [{ ...multi(seen.polygons, 0, 0), properties: { ...buildingProperties(b), ...cut } }];
      }),
    ),
    'rooftop-structures.geojson': collection(
      scene.buildings.flatMap((b) =>
        b.rooftop.flatMap((r, i) => (onRasters([footprintRings(r.structure.frame, r.structure.footprint)], scene.extent, [sx, sy]).cut ? [] : [{
          type: 'Feature',
          properties: {
            id: `${b.id}-r${i + 1}`, building: b.id, use: r.structure.use, area_m2: round(r.areaM2, 1), height_above_roof_m: round(r.heightAboveRoofM, 2),
            height_m: round(r.heightM, 2), below_survey_thresholds: r.heightAboveRoofM < surveyThresholds.rooftopHeightM || r.areaM2 < surveyThresholds.rooftopAreaM2,
          },
          geometry: geometry(footprintRings(r.structure.frame, r.structure.footprint), sx, sy),
        }])),
      ),
    ),
    'scene.json': JSON.stringify(sceneDescription(scene), null, 2) + '\n',
  };
  const paths: string[] = [];
  for (const [name, text] of Object.entries(files)) {
    paths.push(join(outDir, name));
    await writeFile(join(outDir, name), text);
  }
  return paths;
}

/**
 * A standing building's truth: footprint area, roof heights above ground (the median a DSM shows,
 * rooftop structures left out; the highest point; the eaves), floors as built, roof form, rooftop
 * structures a survey should find, legality against the plans, and whether it is below what a
 * survey looks for by default (lower than 2.2 m or smaller than 6 m²). A building the scene's edge
 * cuts is written as the rasters show it, its area that part's, with `at_scene_edge`.
 */
function buildingProperties(b: RegisteredBuilding): object {
  const found = b.rooftop.filter((r) => r.heightAboveRoofM >= surveyThresholds.rooftopHeightM && r.areaM2 >= surveyThresholds.rooftopAreaM2);
  return {
    id: b.id, use: b.use, area_m2: round(b.areaM2, 1), roof_height_m: round(b.roofHeightM, 2), roof_height_max_m: round(b.roofHeightMaxM, 2),
    eaves_height_m: round(b.eavesHeightM, 2), floors: b.floors, roof_form: b.roofForm, rooftop_structures: found.length,
    legality: b.legal ? 'legal' : 'suspect', violation: b.violation, permit_no: b.permitNo, change: b.changeId,
    below_survey_thresholds: b.roofHeightM < surveyThresholds.heightM || b.areaM2 < surveyThresholds.areaM2, note: b.note,
  };
}

/**
 * A building's polygons where the after rasters show them (moved by the misregistration `shift`),
 * cut to the scene; the polygons themselves, moved, when wholly inside, and none when wholly outside.
 */
function onRasters(polygons: readonly Ring[][], extent: number, shift: [number, number]): { polygons: Ring[][]; cut: boolean } {
  const seen = polygons.map((p) => p.map((ring) => ring.map(([x, y]): [number, number] => [x + shift[0], y + shift[1]])));
  if (seen.every((p) => p[0].every(([x, y]) => x >= 0 && y >= 0 && x <= extent && y <= extent))) return { polygons: seen, cut: false };
  const scene: Polygon = [[[0, 0], [extent, 0], [extent, extent], [0, extent], [0, 0]]];
  return { polygons: (polygonClipping.intersection(seen as MultiPolygon, scene) as Ring[][]).map((p) => p.map((ring) => ring.slice(0, -1))), cut: true };
}

/** What a survey looks for by default (the thresholds; `pipeline/survey/building.ts` holds the same). */
const surveyThresholds = { heightM: 2.2, areaM2: 6, rooftopHeightM: 2.2, rooftopAreaM2: 4 };

/** The scene.json document: settings, flights and counts. */
function sceneDescription(scene: Scene): object {
  const count = <T>(items: readonly T[], key: (item: T) => string) =>
    items.reduce<Record<string, number>>((acc, item) => ({ ...acc, [key(item)]: (acc[key(item)] ?? 0) + 1 }), {});
  const flight = (epoch: 'before' | 'after') => {
    const f = scene.flights[epoch];
    return {
      date: f.date, season: f.season, sun_azimuth_deg: f.sunAzimuth, sun_elevation_deg: f.sunElevation,
      misregistration_shift_m: f.shift, dsm_vertical_offset_m: f.dsmOffset, dsm_tilt_m_per_m: f.dsmTilt,
      colour_gain: f.gain, gamma: f.gamma, haze: f.haze, saturation: f.saturation, blur: f.blur, sensor_noise: f.noise,
      mosaic_seams: f.seams, jpeg_quality: f.jpegQuality,
    };
  };
  const present = (epoch: 'before' | 'after') => count(scene.objects.filter((o) => o.presence[epoch]), (o) => (o.kind === 'structure' ? o.use : o.kind === 'ground' ? `ground_${o.material}` : o.kind === 'car' ? o.body : o.kind));
  return {
    generator: 'zhiwei synth',
    seed: scene.seed,
    size_px: scene.size,
    gsd_m: scene.gsd,
    dsm_gsd_m: scene.gsd * 2,
    crs: `EPSG:${scene.epsg}`,
    origin_sw_easting_northing: scene.origin,
    extent_m: scene.extent,
    terrain: scene.terrain,
    with_changes: scene.withChanges,
    notes: [
      'truth polygons are where each change appears on the after rasters (shifted by the after misregistration)',
      'plans are in true ground coordinates; permits are judged against the after flight date',
      'after DSM = true surface + dsm_vertical_offset_m + tilt x (map x - centre) + tilt y (map y - centre)',
    ],
    flights: { before: flight('before'), after: flight('after') },
    counts: {
      changes: count(scene.changes, (c) => c.changeKind),
      violations: count(scene.changes, (c) => c.violation),
      plans: scene.plans.length,
      zones: scene.zones.length,
      grids: scene.grids.length,
      objects_before: present('before'),
      objects_after: present('after'),
    },
  };
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
