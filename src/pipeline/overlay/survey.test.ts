import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../db/connect.js';
import { ensureProjectEpsg } from '../../db/project-crs.js';
import { placeHistory } from '../../cases/place-history.js';
import { candidate, E, N, testGrid } from '../../test-support/candidates.js';
import { openTestDatabase, testBackends } from '../../test-support/database.js';
import { readGeoPackage } from '../../geo/geopackage.js';
import { writeSurveyResults } from '../outputs/survey.js';
import type { Building, RooftopStructure } from '../survey/building.js';
import { overlayAndEmit } from './index.js';
import { overlaySurvey, type SurveyOverlayResult } from './survey.js';

// Everything in EPSG:4549 metres from the test corner; each building 100 m from the next.
type Box = [number, number, number, number];
const square = ([x0, y0, x1, y1]: Box): [number, number][][][] => [[[[E + x0, N + y0], [E + x1, N + y0], [E + x1, N + y1], [E + x0, N + y1], [E + x0, N + y0]]]];
const shift = ([x0, y0, x1, y1]: Box, d: number): Box => [x0 + d, y0 + d, x1 + d, y1 + d];

function structure(id: string, box: Box, heightAboveRoofM: number, heightM: number): RooftopStructure {
  return { id, polygons: square(box), areaM2: (box[2] - box[0]) * (box[3] - box[1]), heightAboveRoofM, heightM };
}

function building(id: string, box: Box, roofHeightM: number, floors: number, rooftopStructures: RooftopStructure[] = []): Building {
  const areaM2 = (box[2] - box[0]) * (box[3] - box[1]);
  return { id, polygons: square(box), areaM2, pixelAreaM2: areaM2, roofHeightM, roofHeightMaxM: roofHeightM + 0.4, floors, roofForm: 'flat', rooftopStructures };
}

/** The place's buildings as a survey finds them, its outlines drawn `d` metres off. */
const survey = (d: number, prefix: string): Building[] => [
  building(`${prefix}1`, shift([0, 0, 10, 10], d), 6.1, 2),
  building(`${prefix}2`, shift([100, 0, 110, 10], d), 9.2, 3),
  building(`${prefix}3`, shift([200, 0, 210, 10], d), 6.2, 2),
  building(`${prefix}4`, shift([300, 0, 310, 10], d), 9.8, 3, [structure(`${prefix}4-r1`, shift([303, 3, 306, 6], d), 2.5, 12.3)]),
  building(`${prefix}5`, shift([400, 0, 410, 10], d), 9, 3, [structure(`${prefix}5-r1`, shift([403, 3, 406, 6], d), 3.5, 12.5)]),
  // tall storeys: counted as 4 floors from its height, within the permitted height
  building(`${prefix}6`, shift([500, 0, 510, 10], d), 10.6, 4),
  // no plan at all, with a shed on its roof
  building(`${prefix}7`, shift([700, 0, 710, 10], d), 6.3, 2, [structure(`${prefix}7-r1`, shift([703, 3, 706, 6], d), 2.6, 8.9)]),
  // a permitted house with a room built against it in the yard, a shed standing apart in the yard, and a
  // neighbour's house built without a permit against its other wall
  building(`${prefix}8`, shift([800, 0, 810, 10], d), 6.2, 2),
  building(`${prefix}9`, shift([803, -4, 809, 0], d), 3.1, 1),
  building(`${prefix}10`, shift([800, -3.6, 802.4, -0.6], d), 2.6, 1),
  building(`${prefix}11`, shift([810, 0, 820, 10], d), 6.1, 2),
  // two thirds inside a licensed construction site, the shed on its roof mostly outside it
  building(`${prefix}12`, shift([900, 0, 910, 10], d), 6.2, 2, [structure(`${prefix}12-r1`, shift([906, 3, 909, 6], d), 2.6, 8.8)]),
];

async function addPlan(db: Database, permit: string, kind: string, box: Box, fields: Record<string, unknown>): Promise<void> {
  const geom = JSON.stringify({ type: 'MultiPolygon', coordinates: square(box) });
  await db.knex('plans').insert({ permit_no: permit, kind, valid_from: '2020-01-01', ...fields, geom: db.knex.raw('ST_SetSRID(ST_GeomFromGeoJSON(?), 4549)', [geom]) });
}

const job = (afterDate: string) => ({ spec: {}, model: null, beforeDate: null, afterDate, outDir: 'out', summary: {} });
const dirs = { outputDir: 'out', evidenceDir: 'evidence' };

describe.each(testBackends())('the survey overlay and the building register on the %s backend', (backend) => {
  let db: Database;
  let first: SurveyOverlayResult;
  let second: SurveyOverlayResult;
  const count = async (table: string) => Number((await db.knex(table).count({ n: '*' }))[0].n);

  beforeAll(async () => {
    db = await openTestDatabase(backend);
    await ensureProjectEpsg(db.knex, 4549);
    await addPlan(db, 'P-floors', 'existing_building', [99, -1, 111, 11], { permitted_floors: 2 });
    await addPlan(db, 'P-grown', 'existing_building', [200, 0, 206, 10], { permitted_height_m: 10 });
    await addPlan(db, 'P-stock', 'existing_building', [299, -1, 311, 11], { permitted_floors: 3 });
    // the newer plan of the house would govern its roof, but the older one for added floors covers the structure
    await addPlan(db, 'P-house', 'new_building', [399, -1, 411, 11], { permitted_height_m: 10, valid_from: '2021-01-01' });
    await addPlan(db, 'P-hall', 'existing_building', [499, -1, 511, 11], { permitted_height_m: 11, permitted_floors: 3 });
    await addPlan(db, 'P-floor-added', 'additional_floors', [402, 2, 408, 8], { permitted_height_m: 14, valid_from: '2020-06-01' });
    await addPlan(db, 'P-yard', 'existing_building', [800, 0, 810, 10], { permitted_floors: 2 });
    const site = JSON.stringify({ type: 'MultiPolygon', coordinates: square([890, -10, 906.6, 20]) });
    await db.knex('zones').insert({ zone_id: 'Z-site', kind: 'exempt', priority: 1, geom: db.knex.raw('ST_SetSRID(ST_GeomFromGeoJSON(?), 4549)', [site]) });
    first = await overlaySurvey(db, job('2024-05-01'), testGrid, survey(0, 'a'), dirs);
  });
  afterAll(async () => db?.close());

  it('judges standing buildings: no plan, more floors than permitted, grown past the plan, legal by its floors', () => {
    expect(first.verdicts.get('a1')).toMatchObject({ suspect: true, violation: 'no_permit', decision: 'no valid plan covers it' });
    expect(first.verdicts.get('a2')).toMatchObject({ suspect: true, violation: 'exceeds_permitted_height', permitNo: 'P-floors', decision: '3 floors, permit P-floors allows 2 floors' });
    expect(first.verdicts.get('a3')).toMatchObject({ violation: 'outside_permitted_footprint', decision: '30% outside the permitted footprint (permit P-grown)' });
    // 9.8 m is above 3 floors of 3 m and the tolerance, but the plan limits the floors only
    expect(first.verdicts.get('a4')).toMatchObject({ suspect: false, decision: 'within permit P-stock: 3 floors, 3 floors allowed' });
    expect(first.verdicts.get('a5')).toMatchObject({ suspect: false, permitNo: 'P-house' });
  });

  it('judges a room built against a permitted house as its extension, not a shed apart from it nor a neighbour\'s house against it', () => {
    expect(first.verdicts.get('a8')).toMatchObject({ suspect: false, permitNo: 'P-yard' });
    // a quarter of the room lies within the house's plan widened by the footprint tolerance
    expect(first.verdicts.get('a9')).toMatchObject({ suspect: true, violation: 'outside_permitted_footprint', permitNo: 'P-yard', decision: '75% outside the permitted footprint (permit P-yard)' });
    expect(first.verdicts.get('a10')).toMatchObject({ suspect: true, violation: 'no_permit', decision: 'no valid plan covers it' });
    expect(first.verdicts.get('a11')).toMatchObject({ suspect: true, violation: 'no_permit', decision: 'no valid plan covers it' });
  });

  it('judges a building by its height where its plan gives one, not by floors counted from it', () => {
    expect(first.verdicts.get('a6')).toMatchObject({ suspect: false, decision: 'within permit P-hall: 10.6 m high, 11.0 m allowed (+0.5 m tolerance)' });
  });

  it('makes a rooftop structure no permit covers a suspect of its own, naming its building, and the building a suspect too', async () => {
    const roof = first.verdicts.get('a4-r1')!;
    expect(roof).toMatchObject({ suspect: true, violation: 'exceeds_permitted_height', decision: '12.3 m high, permit P-stock allows 9.0 m' });
    expect(roof.buildingId).toBe(first.verdicts.get('a4')!.buildingId);
    const register = await db.knex('buildings').where({ id: roof.buildingId }).first();
    expect(register).toMatchObject({ legality: 'suspect', violation: 'exceeds_permitted_height', permit_no: 'P-stock', rooftop_structures: 1, floors: 3 });
    expect(Number(register.case_id)).toBe(roof.caseId);
    expect(first.register.get('a4')).toEqual({ buildingId: roof.buildingId, legality: 'suspect', violation: 'exceeds_permitted_height', permitNo: 'P-stock', caseId: roof.caseId, throughStructure: 'a4-r1' });
    expect((await db.knex('cases').where({ id: roof.caseId }).first()).change_kind).toBe('rooftop_addition');
  });

  it('writes a building suspect through its rooftop structure into buildings.geojson and results.gpkg with that structure\'s violation and case', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'zhiwei-survey-out-'));
    try {
      await writeSurveyResults(folder, { grid: testGrid, buildings: survey(0, 'a'), judgement: { ...first, summary: {} }, summary: {} });
      const features = JSON.parse(await readFile(join(folder, 'buildings.geojson'), 'utf8')).features.map((f: { properties: Record<string, unknown> }) => f.properties);
      const roof = first.verdicts.get('a4-r1')!;
      expect(features.find((p: { id: string }) => p.id === 'a4')).toMatchObject({
        legality: 'suspect', suspect: true, violation: 'exceeds_permitted_height', case_id: roof.caseId, priority: roof.priority, permit_no: 'P-stock',
        decision: 'rooftop structure a4-r1: 12.3 m high, permit P-stock allows 9.0 m', building_id: roof.buildingId,
      });
      // a building suspect itself keeps its own verdict; a legal one stays legal
      expect(features.find((p: { id: string }) => p.id === 'a7')).toMatchObject({ legality: 'suspect', violation: 'no_permit', decision: 'no valid plan covers it' });
      expect(features.find((p: { id: string }) => p.id === 'a5')).toMatchObject({ legality: 'legal', suspect: false, violation: 'none', permit_no: 'P-house' });
      const layer = (await readGeoPackage(join(folder, 'results.gpkg'))).find((t) => t.name === 'buildings')!;
      expect(layer.features.find((f) => f.properties.id === 'a4')!.properties).toMatchObject({ legality: 'suspect', violation: 'exceeds_permitted_height' });
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });

  it('keeps a rooftop structure legal on a building in an exempt zone, though the structure is mostly outside it', () => {
    expect(first.verdicts.get('a12')).toMatchObject({ suspect: false, decision: 'in exempt zone Z-site' });
    expect(first.verdicts.get('a12-r1')).toMatchObject({ suspect: false, violation: 'none', decision: 'in exempt zone Z-site' });
    expect(first.register.get('a12')).toMatchObject({ legality: 'legal', throughStructure: null });
  });

  it('folds a rooftop structure on a building that is itself a suspect into the building\'s case', async () => {
    const building = first.verdicts.get('a7')!;
    expect(building).toMatchObject({ suspect: true, violation: 'no_permit' });
    expect(first.verdicts.get('a7-r1')).toMatchObject({
      suspect: false, violation: 'no_permit', caseId: null, buildingId: building.buildingId, decision: 'on building a7, itself a suspect: part of its case',
    });
    expect(Number((await db.knex('buildings').where({ id: building.buildingId }).first()).case_id)).toBe(building.caseId);
  });

  it('keeps a rooftop structure that a plan for added floors covers legal', () => {
    expect(first.verdicts.get('a5-r1')).toMatchObject({ suspect: false, permitNo: 'P-floor-added' });
  });

  it('registers every building with its first observation, and emits the suspects as survey cases', async () => {
    expect(first.buildings).toEqual({ created: 12, updated: 0 });
    expect(first.suspects).toBe(8);
    expect(first.cases.created).toBe(8);
    expect(await count('building_observations')).toBe(12);
    expect(await db.knex('jobs').where({ id: first.jobId }).first('kind')).toEqual({ kind: 'survey' });
    expect(new Set(await db.knex('case_events').pluck('actor'))).toEqual(new Set(['zhiwei survey']));
    const legal = await db.knex('buildings').where({ id: first.verdicts.get('a5')!.buildingId }).first();
    expect(legal).toMatchObject({ legality: 'legal', violation: 'none', permit_no: 'P-house', case_id: null });
    expect(await db.knex('buildings').where({ id: first.verdicts.get('a1')!.buildingId }).first('permit_no', 'violation')).toEqual({ permit_no: null, violation: 'no_permit' });
  });

  it('finds the same buildings and cases again in a second survey of the place: one more observation each, nothing new', async () => {
    const casesBefore = await count('cases');
    second = await overlaySurvey(db, job('2025-05-01'), testGrid, survey(0.3, 'b'), dirs);
    expect(second.buildings).toEqual({ created: 0, updated: 12 });
    expect(await count('buildings')).toBe(12);
    expect(await count('building_observations')).toBe(24);
    expect(second.cases.created).toBe(0);
    expect(await count('cases')).toBe(casesBefore);
    for (const id of ['1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '11', '12', '4-r1', '7-r1', '12-r1']) expect(second.verdicts.get(`b${id}`)!.buildingId, id).toBe(first.verdicts.get(`a${id}`)!.buildingId);
    for (const id of ['1', '2', '3', '4-r1', '7', '9', '10', '11']) {
      expect(second.verdicts.get(`b${id}`)!.caseId, id).not.toBeNull();
      expect(second.verdicts.get(`b${id}`)!.caseId, id).toBe(first.verdicts.get(`a${id}`)!.caseId);
    }
    const updated = await db.knex('buildings').where({ id: second.verdicts.get('b1')!.buildingId }).first();
    expect(Number(updated.first_job_id)).toBe(first.jobId);
    expect(Number(updated.last_job_id)).toBe(second.jobId);
  });

  it('links a later detect\'s candidates to the register building each stands on or touches', async () => {
    const onRoof = { ...candidate('roof', 'rooftop_addition', [303.2, 3.1, 306.2, 6.1], 2.5), heightAfterM: 12.4 };
    const beside = candidate('lean-to', 'extension', [410.5, 0, 413, 6], 3);
    const far = candidate('far', 'new_building', [600, 0, 605, 5], 4);
    const detect = await overlayAndEmit(db, { ...job('2025-09-01'), beforeDate: '2025-05-01' }, testGrid, [onRoof, beside, far].map((c) => ({ candidate: c, evidence: [] })), dirs);
    expect(detect.verdicts.get('roof')!.buildingId).toBe(first.verdicts.get('a4')!.buildingId);
    expect(detect.verdicts.get('lean-to')!.buildingId).toBe(first.verdicts.get('a5')!.buildingId);
    expect(detect.verdicts.get('far')!.buildingId).toBeNull();
    // the rooftop structure is the same case, not the building's
    expect(detect.verdicts.get('roof')!.caseId).toBe(first.verdicts.get('a4-r1')!.caseId);
    expect(await db.knex('jobs').where({ id: detect.jobId }).first('kind')).toEqual({ kind: 'detect' });
  });

  it('lists the register buildings at a case\'s place with their observations, oldest flight first', async () => {
    const history = await placeHistory(db.knex, first.verdicts.get('a1')!.caseId!, null);
    expect(history.buildings).toHaveLength(1);
    const [house] = history.buildings;
    expect(house).toMatchObject({ id: first.verdicts.get('a1')!.buildingId, legality: 'suspect', violation: 'no_permit', permitNo: null });
    expect(house.observations.map((o) => [o.flightDate, o.floors, o.roofHeightM, o.legality])).toEqual([
      ['2024-05-01', 2, 6.1, 'suspect'],
      ['2025-05-01', 2, 6.1, 'suspect'],
    ]);
    // an officer of another grid sees none of it
    expect((await placeHistory(db.knex, first.verdicts.get('a1')!.caseId!, ['G-other'])).buildings).toEqual([]);
  });
});
