/**
 * Cases on the fixture scene for tests of what reads verdicts: candidates cut from the scene's
 * truth polygons, emitted by the overlay with a job spec naming the fixture orthophotos, and moved
 * through the lifecycle as the service moves them.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Knex } from 'knex';
import { CASE_ACTIONS, transitionCase, type TargetState } from '../cases/transitions.js';
import type { Database } from '../db/connect.js';
import { crsTransform, proj4Definition } from '../geo/crs.js';
import { parsePolygonCollection, transformPolygons } from '../geo/geojson.js';
import type { Candidate } from '../pipeline/candidate.js';
import { overlayAndEmit } from '../pipeline/overlay/index.js';
import type { ChangeKind } from '../vocabulary.js';
import type { AnalysisGrid } from '../raster/types.js';

/** The fixture scene folder. */
export const fixtureScene = fileURLToPath(new URL('../../fixtures/scene/', import.meta.url));

/** The fixture scene's analysis grid (EPSG:4549, 0.2 m, 1024 px). */
const grid: AnalysisGrid = { crs: proj4Definition(4549), epsg: 4549, geoTransform: [496594, 0.2, 0, 3349828 + 204.8, 0, -0.2], width: 1024, height: 1024 };

/** A job spec with the fixture scene's orthophotos, as detect stores it. */
export const fixtureSpec = { beforeOrtho: `${fixtureScene}before/ortho.tif`, afterOrtho: `${fixtureScene}after/ortho.tif` };

/** A square candidate (corners in EPSG:4549) for a case away from the truth changes. */
export function squareCandidate(id: string, [x0, y0, x1, y1]: number[]): Candidate {
  const ring: [number, number][] = [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]];
  return { id, changeKind: 'new_building', polygons: [[ring]], areaM2: (x1 - x0) * (y1 - y0), heightChangeM: 5, heightChangeMaxM: 5, heightAfterM: 5, confidence: 0.9, reason: 'test' };
}

/** The truth changes `ids` (e.g. C0002) of the fixture scene as candidates in EPSG:4549. */
export async function truthCandidates(ids: string[]): Promise<Candidate[]> {
  const truth = parsePolygonCollection(JSON.parse(await readFile(`${fixtureScene}truth.geojson`, 'utf8')), 'truth.geojson');
  const toGrid = crsTransform(4326, 4549);
  return ids.map((id) => {
    const feature = truth.features.find((f) => f.properties.id === id);
    if (!feature) throw new RangeError(`no truth change ${id}`);
    const p = feature.properties;
    return {
      id, changeKind: p.change_kind as ChangeKind, polygons: transformPolygons(feature.polygons, toGrid), areaM2: Number(p.area_m2),
      heightChangeM: Number(p.height_change_m), heightChangeMaxM: Number(p.height_change_max_m), heightAfterM: Number(p.height_after_m), confidence: 0.9, reason: 'test',
    };
  });
}

/** Emits `candidates` as one detect job whose spec is `spec` (no plans: each is an unpermitted suspect); returns the case id of each, by candidate id. */
export async function emitCandidates(db: Database, workDir: string, candidates: Candidate[], spec: Record<string, unknown> = fixtureSpec): Promise<Record<string, number>> {
  const job = { spec, model: null, beforeDate: '2024-05-11', afterDate: '2024-10-01', outDir: workDir, summary: {} };
  const result = await overlayAndEmit(db, job, grid, candidates.map((candidate) => ({ candidate, evidence: [] })), { outputDir: workDir, evidenceDir: workDir });
  return Object.fromEntries([...result.verdicts].map(([id, verdict]) => [id, verdict.caseId!]));
}

/** Moves a case from `detected` through each state of `path` in turn, one transition each. */
export async function moveCase(knex: Knex, caseId: number, path: TargetState[]): Promise<void> {
  for (const to of path) {
    const action = CASE_ACTIONS.find((a) => a.to === to)!;
    await knex.transaction((trx) => transitionCase(trx, caseId, action, { actor: 'test', note: `to ${to}` }));
  }
}

/** From `detected` to closed by way of verified illegal (a positive that has moved on). */
export const toClosed: TargetState[] = ['triaged', 'dispatched', 'verified_illegal', 'disposing', 'reinspected', 'closed'];
/** From `detected` to verified illegal (a positive). */
export const toVerifiedIllegal: TargetState[] = ['triaged', 'dispatched', 'verified_illegal'];
/** From `detected` to false positive (a hard negative). */
export const toFalsePositive: TargetState[] = ['triaged', 'dispatched', 'false_positive'];
