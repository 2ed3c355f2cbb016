import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import type { BuildingRecord } from '../cases/buildings.js';
import { toWgs84 } from '../geo/crs.js';
import { transformPolygons, type PolygonRings } from '../geo/geojson.js';
import { readGeoPackage } from '../geo/geopackage.js';
import { requireTool } from '../test-support/tools.js';
import { buildingExportFormat, buildingExportFormats } from './buildings.js';

/** A building of the register: a square `size` metres across at (x, y) metres from (500000, 3350000) in EPSG:4549. */
function building(id: number, x: number, y: number, size: number, fields: Partial<BuildingRecord>): BuildingRecord {
  const ring: [number, number][] = [[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]].map(([a, b]) => [500000 + a, 3350000 + b]);
  const coordinates: PolygonRings[] = [[ring]];
  return {
    id, outline: transformPolygons(coordinates, toWgs84(4549)), projectOutline: { epsg: 4549, coordinates }, areaM2: size * size, roofHeightM: 6.004, roofHeightMaxM: 7.5,
    floors: 2, roofForm: 'flat', rooftopStructures: 0, legality: 'legal', violation: 'none', permitNo: 'P-1', gridId: 'WG-01', caseId: null, firstJobId: 1, lastJobId: 1,
    flightDate: '2024-06-01', ...fields,
  };
}

const register = [
  building(1, 0, 0, 10, {}),
  building(2, 40, 0, 8, { legality: 'suspect', violation: 'no_permit', permitNo: 'P-LATER', roofForm: 'pitched', floors: 1, rooftopStructures: 1, caseId: 7, gridId: null }),
];

describe('building register exports', () => {
  it('writes CSV with Chinese headers and labels, measurements to the centimetre, and no permit for a building without one', async () => {
    const bytes = (await buildingExportFormats.csv.render(register, { chineseHeaders: true })) as Uint8Array;
    const lines = new TextDecoder().decode(bytes).replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(lines[0].split(',')).toEqual([
      '编号', '面积（平方米）', '屋顶高度（米）', '屋顶最大高度（米）', '层数', '屋顶形式', '屋顶构筑物（个）', '合法性', '违法类型', '许可证号', '网格', '案件编号', '航飞日期',
      '首次普查批次', '最近普查批次', '经度', '纬度',
    ]);
    expect(lines[1].split(',').slice(0, 13)).toEqual(['1', '100', '6', '7.5', '2', '平顶', '0', '合法', '无违法', 'P-1', 'WG-01', '', '2024-06-01']);
    expect(lines[2].split(',').slice(0, 13)).toEqual(['2', '64', '6', '7.5', '1', '坡顶', '1', '疑似违法', '无证建设', '', '', '7', '2024-06-01']);
    const english = new TextDecoder().decode((await buildingExportFormats.csv.render(register, {})) as Uint8Array);
    expect(english).toContain('id,area m²,roof height m');
    expect(english).toContain(',pitched,1,suspect,no_permit,');
  });

  it('writes an XLSX sheet named 存量建筑台账 that exceljs reads back, numbers as numbers', async () => {
    const bytes = (await buildingExportFormats.xlsx.render(register, { chineseHeaders: true })) as Uint8Array;
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(bytes as unknown as ArrayBuffer);
    const sheet = workbook.worksheets[0];
    expect(sheet.name).toBe('存量建筑台账');
    expect(sheet.getRow(1).getCell(2).value).toBe('面积（平方米）');
    expect(sheet.getRow(3).values).toEqual(expect.arrayContaining([2, 64, '坡顶', '疑似违法', '无证建设']));
    expect(sheet.getRow(2).getCell(3).numFmt).toBe('0.00');
    expect(sheet.rowCount).toBe(3);
  });

  it('writes GeoJSON in WGS84, or in the project CRS named in its crs member', async () => {
    const wgs84 = JSON.parse((await buildingExportFormats.geojson.render(register, {})) as string);
    expect(wgs84.crs).toBeUndefined();
    expect(wgs84.features[1]).toMatchObject({ id: 2, properties: { area_m2: 64, roof_height_m: 6, floors: 1, roof_form: 'pitched', legality: 'suspect', permit_no: null, case_id: 7 } });
    expect(wgs84.features[0].geometry.coordinates[0][0][0][0]).toBeCloseTo(register[0].outline[0][0][0][0], 9);
    const source = JSON.parse((await buildingExportFormats.geojson.render(register, { crs: 'source' })) as string);
    expect(source.crs.properties.name).toBe('urn:ogc:def:crs:EPSG::4549');
    expect(source.features[0].geometry.coordinates[0][0][0]).toEqual([500000, 3350000]);
  });

  it('writes a GeoPackage layer buildings in the project CRS that reads back (and that ogrinfo reads)', async () => {
    const path = join(await mkdtemp(join(tmpdir(), 'zhiwei-buildings-gpkg-')), 'buildings.gpkg');
    await writeFile(path, (await buildingExportFormats.gpkg.render(register, {})) as Uint8Array);
    const [table] = await readGeoPackage(path);
    expect(table).toMatchObject({ name: 'buildings', srs: { organization: 'EPSG', code: 4549 } });
    expect(table.features.map((f) => [f.properties.id, f.properties.legality])).toEqual([[1, 'legal'], [2, 'suspect']]);
    if (requireTool('ogrinfo')) expect(execFileSync('ogrinfo', ['-so', '-al', path], { encoding: 'utf8' })).toMatch(/Layer name: buildings[\s\S]*Feature Count: 2/);
    await rm(join(path, '..'), { recursive: true });
  });

  it('refuses a format the register has not, naming those it has', () => {
    expect(() => buildingExportFormat('pdf')).toThrow(expect.objectContaining({ message: 'the building register does not export as pdf', hint: 'it exports as xlsx, csv, geojson, gpkg' }));
  });
});
