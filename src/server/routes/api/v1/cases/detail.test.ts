import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBackends } from '../../../../../test-support/database.js';
import { candidate, E, N, testGrid } from '../../../../../test-support/candidates.js';
import { overlaySurvey } from '../../../../../pipeline/overlay/survey.js';
import { openTestService, type TestService } from '../../../../../test-support/service.js';

describe.each(testBackends())('case detail on the %s backend', (backend) => {
  let service: TestService;
  let ids: { shed: number; wide: number; neighbour: number };
  const detail = async (id: number, user: keyof TestService['auth']) => service.app.inject({ url: `/api/v1/cases/${id}`, headers: service.auth[user] });

  beforeAll(async () => {
    service = await openTestService(backend);
    const first = await service.detect('2024-06-01', [candidate('shed', 'ground_structure', [190, 100, 199, 106], 3)]);
    // a later flight finds it grown across the grid border (the same case), and a building next to it in WG-02
    const second = await service.detect('2024-09-01', [candidate('wide', 'new_building', [192, 100, 208, 106], 7), candidate('neighbour', 'new_building', [199, 100, 230, 130], 9)]);
    ids = { shed: first.get('shed')!, wide: second.get('wide')!, neighbour: second.get('neighbour')! };
  });
  afterAll(() => service?.close());

  it('lists every candidate and case found at the place across flights (一户一档)', async () => {
    const response = await detail(ids.shed, 'reviewer');
    expect(response.statusCode).toBe(200);
    const { place_history: place } = response.json();
    expect(place.candidates.map((c: { flight_date: string; change_kind: string }) => [c.flight_date, c.change_kind])).toEqual([
      ['2024-06-01', 'ground_structure'],
      ['2024-09-01', 'new_building'],
      ['2024-09-01', 'new_building'],
    ]);
    expect(place.cases.map((k: { id: number }) => k.id)).toEqual([ids.neighbour]);
    expect(place.candidates[0].evidence[0]).toMatchObject({ name: 'after.jpg', url: expect.stringMatching(/^\/api\/v1\/evidence\/[0-9a-f]{64}$/) });
    // the decision as a key of the pages' vocabulary, and areas to the centimetre
    expect(place.candidates[0]).toMatchObject({ decision: 'no valid plan covers it', decision_key: 'no_plan', decision_values: {} });
    const stored = await service.db.knex('candidates').whereIn('id', place.candidates.map((c: { id: number }) => c.id)).orderBy('id').pluck('area_m2');
    expect(place.candidates.map((c: { area_m2: number }) => c.area_m2)).toEqual(stored.map((a: string) => Math.round(Number(a) * 100) / 100));
  });

  it("keeps another grid's cases out of an officer's place history", async () => {
    expect(ids.wide).toBe(ids.shed);
    const grids = await service.db.knex('cases').whereIn('id', [ids.shed, ids.neighbour]).orderBy('id').pluck('grid_id');
    expect(grids).toEqual(['WG-01', 'WG-02']);
    const { place_history: place } = (await detail(ids.shed, 'officer')).json();
    expect(place.cases).toEqual([]);
    expect(place.candidates.every((c: { case_id: number | null }) => c.case_id !== ids.neighbour)).toBe(true);
  });

  it('lists the register buildings at the place with what each survey measured of them', async () => {
    expect((await detail(ids.shed, 'reviewer')).json().place_history.buildings).toEqual([]);
    // a house a survey found overlapping the case's outline a little (too little to be its structure)
    const ring: [number, number][] = [[E + 185, N + 100], [E + 193, N + 100], [E + 193, N + 110], [E + 185, N + 110], [E + 185, N + 100]];
    const house = { id: 'h1', polygons: [[ring]], areaM2: 80, pixelAreaM2: 80, roofHeightM: 6.123, roofHeightMaxM: 6.5, floors: 2, roofForm: 'flat' as const, rooftopStructures: [] };
    const job = { spec: {}, model: null, beforeDate: null, afterDate: '2024-11-01', outDir: 'survey', summary: {} };
    const survey = await overlaySurvey(service.db, job, testGrid, [house], { outputDir: 'survey', evidenceDir: service.evidenceDir });
    const { buildings } = (await detail(ids.shed, 'reviewer')).json().place_history;
    expect(buildings).toEqual([{
      id: survey.verdicts.get('h1')!.buildingId, legality: 'suspect', violation: 'no_permit', permit_no: null, case_id: survey.verdicts.get('h1')!.caseId,
      observations: [{ job_id: survey.jobId, flight_date: '2024-11-01', area_m2: 80, roof_height_m: 6.12, floors: 2, rooftop_structures: 0, legality: 'suspect', violation: 'no_permit', permit_no: null }],
    }]);
  });
});
