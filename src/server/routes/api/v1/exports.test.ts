import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readGeoPackage } from '../../../../geo/geopackage.js';
import { testBackends } from '../../../../test-support/database.js';
import { requireTool } from '../../../../test-support/tools.js';
import { candidate } from '../../../../test-support/candidates.js';
import { openTestService, type TestService } from '../../../../test-support/service.js';

describe.each(testBackends())('exports through the API on the %s backend', (backend) => {
  let service: TestService;
  let ids: Map<string, number>;
  const get = (url: string, user: keyof TestService['auth'] = 'reviewer') => service.app.inject({ url, headers: service.auth[user] });

  beforeAll(async () => {
    service = await openTestService(backend);
    ids = await service.detect('2024-06-01', [candidate('big', 'new_building', [10, 10, 30, 30], 9), candidate('roof', 'rooftop_addition', [300, 10, 310, 20], 4)]);
  });
  afterAll(() => service?.close());

  it('answers an XLSX with Chinese headers that exceljs reads back', async () => {
    const response = await get('/api/v1/exports/xlsx?chinese_headers=true');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-disposition']).toBe('attachment; filename="zhiwei-cases.xlsx"');
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(response.rawPayload as unknown as ArrayBuffer);
    const sheet = workbook.worksheets[0];
    expect(sheet.getRow(1).getCell(1).value).toBe('编号');
    expect(sheet.rowCount).toBe(3);
  });

  it('selects by grid and by case, and answers GeoJSON in WGS84', async () => {
    const response = await get(`/api/v1/exports/geojson?grid=WG-02`);
    expect(response.headers['content-type']).toContain('application/geo+json');
    const features = response.json().features;
    expect(features.map((f: { properties: { id: number } }) => f.properties.id)).toEqual([ids.get('roof')]);
    expect(features[0].geometry.coordinates[0][0][0][0]).toBeGreaterThan(116);
    const csv = await get(`/api/v1/exports/csv?case=${ids.get('big')}`);
    expect(csv.body.startsWith('\uFEFF')).toBe(true);
    expect(csv.body.trim().split('\n')).toHaveLength(2);
  });

  it('answers a GeoPackage of the cases in the project CRS that reads back', async () => {
    const response = await get(`/api/v1/exports/gpkg?case=${ids.get('big')}`);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/geopackage+sqlite3');
    const path = join(await mkdtemp(join(tmpdir(), 'zhiwei-export-gpkg-')), 'cases.gpkg');
    await writeFile(path, response.rawPayload);
    const [table] = await readGeoPackage(path);
    expect(table).toMatchObject({ name: 'cases', srs: { organization: 'EPSG', code: 4549 } });
    expect(table.features.map((f) => f.properties.id)).toEqual([ids.get('big')]);
    if (requireTool('ogrinfo')) expect(execFileSync('ogrinfo', ['-so', '-al', path], { encoding: 'utf8' })).toMatch(/Layer name: cases[\s\S]*Feature Count: 1[\s\S]*ID\["EPSG",4549\]\]/);
    await rm(dirname(path), { recursive: true });
  });

  it('refuses an unknown format naming the formats, crs where it does not apply, an empty selection and an officer', async () => {
    expect((await get('/api/v1/exports/docx')).json()).toMatchObject({ status: 400, field: 'params.format', detail: 'params.format: must be one of xlsx, csv, geojson, kml, kmz, gpkg, pdf' });
    const crs = await get('/api/v1/exports/csv?crs=source');
    expect(crs.statusCode).toBe(400);
    expect(crs.json()).toMatchObject({ field: 'crs', detail: 'csv export does not take crs' });
    // chinese_headers, which a page may send with every format, is ignored where a file has no headers
    const geojson = await get(`/api/v1/exports/geojson?case=${ids.get('big')}&chinese_headers=true`);
    expect(geojson.statusCode).toBe(200);
    expect(geojson.json().features).toHaveLength(1);
    const none = await get('/api/v1/exports/csv?state=closed');
    expect(none.statusCode).toBe(400);
    expect(none.headers['content-type']).toContain('application/problem+json');
    expect((await get('/api/v1/exports/csv', 'officer')).statusCode).toBe(403);
    // ids beyond bigint are refused by the schema, not by the database as a 500
    expect((await get('/api/v1/exports/csv?job=99999999999999999999')).json()).toMatchObject({ status: 400, field: 'querystring.job' });
    expect((await get(`/api/v1/exports/csv?case=${ids.get('big')}&case=99999999999999999999`)).json()).toMatchObject({ status: 400, field: 'querystring.case.1' });
  });
});
