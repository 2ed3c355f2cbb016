import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { sampleCaseRecords } from '../test-support/case-records.js';
import { renderXlsx } from './xlsx.js';

async function readSheet(bytes: Uint8Array): Promise<ExcelJS.Worksheet> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(Buffer.from(bytes) as unknown as ExcelJS.Buffer);
  return workbook.worksheets[0];
}

describe('XLSX export', () => {
  it('reads back with one row per case under English headers, numbers as numbers', async () => {
    const sheet = await readSheet(await renderXlsx(sampleCaseRecords()));
    expect(sheet.rowCount).toBe(4);
    expect((sheet.getRow(1).values as unknown[]).slice(1)).toEqual([
      'id', 'state', 'violation', 'change kind', 'priority', 'grid', 'zones', 'permit', 'area m²', 'height change m', 'height after m',
      'flight date', 'detected at (UTC)', 'longitude', 'latitude',
    ]);
    const row = (sheet.getRow(3).values as unknown[]).slice(1);
    expect(row.slice(0, 11)).toEqual([2, 'verified_illegal', 'exceeds_permitted_height', 'rooftop_addition', 1.5, '西湖-01', '历史街区; main road', 'P-2024,"A"', 384, -3.5, undefined]);
    expect(sheet.getCell('I3').numFmt).toBe('0.00');
    expect(sheet.getCell('H2').value).toBe(null);
    expect(sheet.getCell('M3').value).toBe('2024-10-02T03:04:05Z');
    // text that looks like a formula stays text in a workbook
    expect(sheet.getCell('H4').type).toBe(ExcelJS.ValueType.String);
    expect(sheet.getCell('H4').value).toBe('=HYPERLINK("http://x")');
  });

  it('gives the centroid of the outline less its hole', async () => {
    const sheet = await readSheet(await renderXlsx(sampleCaseRecords()));
    // exterior 20 m square at x 100-120, hole 4 m square at x 105-109: (400·110 − 16·107) / 384
    expect(sheet.getCell('N3').value as number).toBeCloseTo(120 + 110.125 / 96190, 9);
  });

  it('writes Chinese headers and labels on request', async () => {
    const sheet = await readSheet(await renderXlsx(sampleCaseRecords(), { chineseHeaders: true }));
    expect(sheet.name).toBe('疑似违法建设');
    expect((sheet.getRow(1).values as unknown[]).slice(1)).toEqual([
      '编号', '状态', '违法类型', '变化类型', '优先级', '网格', '区域', '许可证号', '面积(m²)', '高度变化(m)', '建成高度(m)', '航飞日期', '发现时间(UTC)', '经度', '纬度',
    ]);
    expect((sheet.getRow(2).values as unknown[]).slice(2, 5)).toEqual(['已发现', '无证建设', '新建建筑']);
    // the permit and time columns are wide enough for their longest values
    expect(sheet.getColumn(8).width).toBeGreaterThanOrEqual('=HYPERLINK("http://x")'.length);
    expect(sheet.getColumn(13).width).toBeGreaterThanOrEqual('2024-10-02T03:04:05Z'.length);
  });
});
