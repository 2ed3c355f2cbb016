import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../db/connect.js';
import { ensureProjectEpsg } from '../../db/project-crs.js';
import { candidate as square, E, N, testGrid } from '../../test-support/candidates.js';
import { openTestDatabase, testBackends } from '../../test-support/database.js';
import type { Candidate } from '../candidate.js';
import { overlayAndEmit, type OverlayResult } from './index.js';
import type { ChangeKind } from '../../vocabulary.js';

// Everything in EPSG:4549 metres from the test corner; each situation 100 m from the next.
const afterDate = '2024-10-01';

type Box = [number, number, number, number];
const ring = ([x0, y0, x1, y1]: Box): [number, number][] => [[E + x0, N + y0], [E + x1, N + y0], [E + x1, N + y1], [E + x0, N + y1], [E + x0, N + y0]];
const multi = (box: Box) => JSON.stringify({ type: 'MultiPolygon', coordinates: [[ring(box)]] });

/** A square change standing `heightAfterM` above ground after a change of `heightChangeM`. */
function candidate(id: string, changeKind: ChangeKind, box: Box, heightAfterM: number, heightChangeM = heightAfterM): Candidate {
  return { ...square(id, changeKind, box, heightChangeM), heightAfterM };
}

async function addPlan(db: Database, permit: string, box: Box, fields: Record<string, unknown>): Promise<void> {
  await db.knex('plans').insert({ permit_no: permit, kind: 'new_building', ...fields, geom: db.knex.raw('ST_SetSRID(ST_GeomFromGeoJSON(?), 4549)', [multi(box)]) });
}

async function addZone(db: Database, zoneId: string, kind: string, priority: number, box: Box, thresholds: Record<string, number> = {}): Promise<void> {
  await db.knex('zones').insert({ zone_id: zoneId, kind, priority, thresholds: JSON.stringify(thresholds), geom: db.knex.raw('ST_SetSRID(ST_GeomFromGeoJSON(?), 4549)', [multi(box)]) });
}

const situations: Candidate[] = [
  candidate('no_plan', 'new_building', [0, 0, 10, 10], 9),
  candidate('permitted', 'new_building', [100, 0, 110, 10], 10),
  candidate('just_within_height', 'new_building', [200, 0, 210, 10], 10.45),
  candidate('just_above_height', 'new_building', [300, 0, 310, 10], 10.55),
  candidate('expired', 'new_building', [400, 0, 410, 10], 8),
  candidate('not_yet_valid', 'new_building', [500, 0, 510, 10], 8),
  candidate('extension', 'extension', [610, 0, 613, 8], 3.2),
  candidate('half_outside', 'new_building', [700, 0, 710, 10], 8),
  candidate('rooftop', 'rooftop_addition', [803, 3, 806, 6], 12.5, 2.5),
  candidate('demolition', 'demolition', [900, 0, 910, 10], 0.3, -9),
  candidate('exempt', 'new_building', [1000, 0, 1010, 10], 9),
  candidate('small_in_zone', 'ground_structure', [1100, 0, 1105, 6], 3),
  candidate('in_priority_zone', 'new_building', [1200, 0, 1210, 10], 9),
  candidate('floors_within', 'new_building', [1300, 0, 1310, 10], 9.4),
  candidate('floors_above', 'new_building', [1400, 0, 1410, 10], 9.6),
  candidate('two_grids', 'ground_structure', [1495, 0, 1508, 4], 3),
];

describe.each(testBackends())('the plan overlay on the %s backend', (backend) => {
  let db: Database;
  let result: OverlayResult;
  const verdict = (id: string) => result.verdicts.get(id)!;

  beforeAll(async () => {
    db = await openTestDatabase(backend);
    await ensureProjectEpsg(db.knex, 4549);
    const valid = { valid_from: '2020-01-01', valid_to: null };
    await addPlan(db, 'P-permitted', [99, -1, 111, 11], { permitted_height_m: 12, ...valid });
    await addPlan(db, 'P-edge-1', [199, -1, 211, 11], { permitted_height_m: 10, ...valid });
    await addPlan(db, 'P-edge-2', [299, -1, 311, 11], { permitted_height_m: 10, ...valid });
    await addPlan(db, 'P-expired', [399, -1, 411, 11], { permitted_height_m: 12, valid_from: '2019-01-01', valid_to: '2023-06-30' });
    await addPlan(db, 'P-future', [499, -1, 511, 11], { permitted_height_m: 12, valid_from: '2024-12-01', valid_to: '2026-12-01' });
    await addPlan(db, 'P-house', [600, 0, 610, 10], { permitted_height_m: 7, kind: 'existing_building', ...valid });
    await addPlan(db, 'P-half', [700, 0, 706, 10], { permitted_height_m: 12, ...valid });
    await addPlan(db, 'P-roof', [800, 0, 810, 10], { permitted_height_m: 10.5, kind: 'existing_building', ...valid });
    await addPlan(db, 'P-floors', [1299, -1, 1311, 11], { permitted_floors: 3, ...valid });
    await addPlan(db, 'P-floors-2', [1399, -1, 1411, 11], { permitted_floors: 3, ...valid });
    await addZone(db, 'Z-exempt', 'exempt', 0, [990, -10, 1020, 20]);
    await addZone(db, 'Z-strict', 'historic', 1, [1090, -10, 1120, 20], { min_area_m2: 50 });
    await addZone(db, 'Z-road', 'priority', 2, [1190, -10, 1220, 20]);
    for (const [gridId, box] of [['G-A', [1400, -50, 1500, 50]], ['G-B', [1500, -50, 1600, 50]]] as const) {
      await db.knex('grids').insert({ grid_id: gridId, geom: db.knex.raw('ST_SetSRID(ST_GeomFromGeoJSON(?), 4549)', [multi(box as Box)]) });
    }
    result = await overlayAndEmit(
      db,
      { spec: {}, model: null, beforeDate: null, afterDate, outDir: 'out', summary: {} },
      testGrid,
      situations.map((c) => ({ candidate: c, evidence: [] })),
      { outputDir: 'out', evidenceDir: 'evidence' },
    );
  });
  afterAll(async () => db?.close());

  it('calls a structure that no valid plan covers no_permit', () => {
    expect(verdict('no_plan')).toMatchObject({ suspect: true, violation: 'no_permit', decision: 'no valid plan covers it', permitNo: null });
  });

  it('keeps a building inside its valid permit and height as legal, with the reason', () => {
    expect(verdict('permitted')).toMatchObject({ suspect: false, violation: 'none', permitNo: 'P-permitted' });
    expect(verdict('permitted').decision).toBe('within permit P-permitted: 10.0 m high, 12.0 m allowed (+0.5 m tolerance)');
  });

  it('forgives height up to the tolerance and no more', () => {
    expect(verdict('just_within_height')).toMatchObject({ violation: 'none', suspect: false });
    expect(verdict('just_above_height')).toMatchObject({ violation: 'exceeds_permitted_height', suspect: true, permitNo: 'P-edge-2' });
    expect(verdict('just_above_height').decision).toBe('10.6 m high, permit P-edge-2 allows 10.0 m');
  });

  it('tells an expired permit from none, and a permit not yet valid is none', () => {
    expect(verdict('expired')).toMatchObject({ violation: 'permit_expired', permitNo: 'P-expired', decision: 'permit P-expired expired on 2023-06-30' });
    expect(verdict('not_yet_valid')).toMatchObject({ violation: 'no_permit', permitNo: 'P-future', decision: 'permit P-future is valid only from 2024-12-01' });
  });

  it('finds an extension against a permitted house outside its footprint', () => {
    expect(verdict('extension')).toMatchObject({ violation: 'outside_permitted_footprint', permitNo: 'P-house' });
  });

  it('finds a building half outside its permitted footprint', () => {
    expect(verdict('half_outside')).toMatchObject({ violation: 'outside_permitted_footprint', permitNo: 'P-half' });
    expect(verdict('half_outside').decision).toBe('30% outside the permitted footprint (permit P-half)');
  });

  it('judges a rooftop addition by the permitted height of the building under it', () => {
    expect(verdict('rooftop')).toMatchObject({ violation: 'exceeds_permitted_height', permitNo: 'P-roof' });
  });

  it('never makes a demolition a suspect', () => {
    expect(verdict('demolition')).toMatchObject({ suspect: false, violation: 'none', caseId: null });
  });

  it('keeps changes in an exempt zone legal and applies a zone override of the minimum area', () => {
    expect(verdict('exempt')).toMatchObject({ suspect: false, decision: 'in exempt zone Z-exempt', zones: ['Z-exempt'] });
    expect(verdict('small_in_zone')).toMatchObject({ suspect: false, decision: 'smaller than the zone minimum of 50 m²', zones: ['Z-strict'] });
  });

  it('weighs the priority by the zone and counts permitted floors as 3 m', () => {
    expect(verdict('in_priority_zone').priority).toBeCloseTo(2 * verdict('no_plan').priority, 0);
    expect(verdict('no_plan').priority).toBeCloseTo(10 * Math.log10(101) + 2 * 9, 0);
    expect(verdict('floors_within')).toMatchObject({ violation: 'none' });
    expect(verdict('floors_above')).toMatchObject({ violation: 'exceeds_permitted_height' });
  });

  it('puts a suspect in the grid it overlaps most', () => {
    expect(verdict('two_grids').gridId).toBe('G-B');
  });

  it('makes one case per suspect, each with a detected event', async () => {
    const suspects = [...result.verdicts.values()].filter((v) => v.suspect);
    expect(result.cases.created).toBe(suspects.length);
    expect(new Set(suspects.map((v) => v.caseId)).size).toBe(suspects.length);
    const events = await db.knex('case_events').select('kind', 'to_state');
    expect(events).toHaveLength(suspects.length);
    expect(events.every((e) => e.kind === 'detected' && e.to_state === 'detected')).toBe(true);
  });
});
