import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toWgs84 } from '../../../../../geo/crs.js';
import { candidate, E, N } from '../../../../../test-support/candidates.js';
import { openTestService, type TestService } from '../../../../../test-support/service.js';
import { testBackends } from '../../../../../test-support/database.js';

describe.each(testBackends())('case list on the %s backend', (backend) => {
  let service: TestService;
  let jobs: { first: Map<string, number>; second: Map<string, number> };
  const list = async (query: string, user: keyof TestService['auth'] = 'reviewer', headers: Record<string, string> = {}) => {
    const response = await service.app.inject({ url: `/api/v1/cases?${query}`, headers: { ...service.auth[user], ...headers } });
    return { status: response.statusCode, body: response.json(), type: response.headers['content-type'] };
  };
  const ids = (body: { cases: { id: number }[] }) => body.cases.map((c) => c.id);

  beforeAll(async () => {
    service = await openTestService(backend);
    const first = await service.detect('2024-06-01', [
      candidate('big', 'new_building', [10, 10, 30, 30], 9),
      candidate('small', 'ground_structure', [100, 100, 104, 104], 3),
      candidate('roof', 'rooftop_addition', [300, 10, 310, 20], 4),
    ]);
    const second = await service.detect('2024-09-01', [candidate('late', 'new_building', [150, 300, 160, 310], 6)]);
    jobs = { first, second };
  });
  afterAll(() => service?.close());

  it('lists by priority, highest first, with the stage clock and the WGS84 outline', async () => {
    const { status, body } = await list('');
    expect(status).toBe(200);
    expect(body.cases).toHaveLength(4);
    const priorities = body.cases.map((c: { priority: number }) => c.priority);
    expect([...priorities].sort((a, b) => b - a)).toEqual(priorities);
    const big = body.cases.find((c: { id: number }) => c.id === jobs.first.get('big'));
    expect(big).toMatchObject({ state: 'detected', violation: 'no_permit', change_kind: 'new_building', grid_id: 'WG-01', area_m2: 400, flight_date: '2024-06-01', overdue: false });
    expect(new Date(big.due_at).getTime() - new Date(big.state_since).getTime()).toBe(2 * 86_400_000);
    const [lon, lat] = toWgs84(4549)([E + 10, N + 10]);
    expect(big.outline.coordinates[0][0][0][0]).toBeCloseTo(lon, 8);
    expect(big.outline.coordinates[0][0][0][1]).toBeCloseTo(lat, 8);
  });

  it('filters by state, violation, change kind, grid, zone, priority, flight dates and job', async () => {
    expect(ids((await list('grid=WG-02')).body)).toEqual([jobs.first.get('roof')]);
    expect(ids((await list('change_kind=ground_structure&change_kind=rooftop_addition')).body).sort()).toEqual([jobs.first.get('small'), jobs.first.get('roof')].sort());
    expect((await list('state=triaged')).body.cases).toEqual([]);
    expect((await list('violation=no_permit')).body.cases).toHaveLength(4);
    expect((await list('zone=historic')).body.cases).toEqual([]);
    expect((await list('zone=HZ-1')).body.cases.map((c: { id: number; zones: string[] }) => [c.id, c.zones])).toEqual([[jobs.first.get('big'), ['HZ-1']]]);
    const top = (await list('limit=1')).body.cases[0];
    expect(ids((await list(`priority_min=${top.priority}`)).body)).toEqual([top.id]);
    expect(ids((await list('flown_from=2024-07-01')).body)).toEqual([jobs.second.get('late')]);
    expect((await list('flown_to=2024-06-01')).body.cases).toHaveLength(3);
    const secondJob = Number((await service.db.knex('jobs').max({ id: 'id' }))[0].id);
    expect(ids((await list(`job=${secondJob}`)).body)).toEqual([jobs.second.get('late')]);
  });

  it('filters by a WGS84 bounding box', async () => {
    const [minLon, minLat] = toWgs84(4549)([E + 5, N + 5]);
    const [maxLon, maxLat] = toWgs84(4549)([E + 50, N + 50]);
    expect(ids((await list(`bbox=${minLon},${minLat},${maxLon},${maxLat}`)).body)).toEqual([jobs.first.get('big')]);
    expect((await list('bbox=10,10,11,11')).body.cases).toEqual([]);
  });

  it('pages by offset and by cursor without repeating or skipping a case', async () => {
    const all = ids((await list('')).body);
    const byOffset = [...ids((await list('limit=3')).body), ...ids((await list('limit=3&offset=3')).body)];
    expect(byOffset).toEqual(all);
    const seen: number[] = [];
    let cursor = '';
    for (let page = 0; page < 5; page++) {
      const { body } = await list(`limit=1&sort=area${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...ids(body));
      if (body.next_cursor === null) break;
      cursor = body.next_cursor;
    }
    expect(seen).toHaveLength(4);
    expect(new Set(seen).size).toBe(4);
    expect(seen[0]).toBe(jobs.first.get('big'));
  });

  it('answers a GeoJSON FeatureCollection to Accept: application/geo+json or format=geojson', async () => {
    const accepted = await list('grid=WG-02', 'reviewer', { accept: 'application/geo+json' });
    expect(accepted.type).toMatch(/^application\/geo\+json/);
    expect(accepted.body).toMatchObject({ type: 'FeatureCollection', next_cursor: null });
    expect(accepted.body.features[0]).toMatchObject({ type: 'Feature', id: jobs.first.get('roof'), geometry: { type: 'MultiPolygon' }, properties: { grid_id: 'WG-02' } });
    expect(accepted.body.features[0].properties.outline).toBeUndefined();
    expect((await list('format=geojson')).body.features).toHaveLength(4);
  });

  it('shows an officer the cases of their grids only', async () => {
    expect(ids((await list('', 'officer2')).body)).toEqual([jobs.first.get('roof')]);
    expect(ids((await list('grid=WG-02', 'officer')).body)).toEqual([]);
  });

  it('answers SQL-ish strings and bad values in every filter with 400 or an empty list, never 500', async () => {
    const sqlish = ["' OR 1=1 --", "1; DROP TABLE cases", "WG-01' UNION SELECT * FROM tokens --", '%', "\\'", '$1'];
    const filters = ['state', 'violation', 'change_kind', 'grid', 'zone', 'priority_min', 'bbox', 'flown_from', 'flown_to', 'job', 'sort', 'limit', 'offset', 'cursor', 'format'];
    for (const filter of filters) {
      for (const value of sqlish) {
        const { status, body } = await list(`${filter}=${encodeURIComponent(value)}`);
        expect([200, 400], `${filter}=${value}`).toContain(status);
        if (status === 200) expect(body.cases, `${filter}=${value}`).toEqual([]);
        else expect(body.detail, `${filter}=${value}`).toMatch(new RegExp(filter));
      }
    }
    for (const query of ['bbox=1,2,3', 'bbox=200,0,201,1', 'bbox=3,3,1,1', 'flown_from=2024-02-30', 'limit=501', 'limit=0', 'offset=-1', 'job=0', 'job=1e30', 'cursor=WzEsMl0&offset=2', `cursor=${Buffer.from('[1,1e300]').toString('base64url')}`]) {
      expect((await list(query)).status, query).toBe(400);
    }
    // beyond a double: coerced to Infinity, which the schema's maximum lets through
    for (const query of ['limit=1e309', 'offset=1e309', 'priority_min=1e400', 'priority_min=-1e400']) {
      const field = `querystring.${query.split('=')[0]}`;
      expect((await list(query)).body, query).toMatchObject({ status: 400, field, detail: expect.stringMatching(new RegExp(`^${field}: a number (above|below) -?1.8e308`)) });
    }
    expect((await list('grid=WG%0001')).body).toMatchObject({ status: 400, field: 'querystring.grid.0', detail: expect.stringMatching(/holds a NUL character/) });
  });
});
