import { describe, expect, it } from 'vitest';
import { sampleCaseRecords } from '../test-support/case-records.js';
import { renderCsv } from './csv.js';

/** Rows of an RFC 4180 text (quoted fields, doubled quotes, CRLF). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [[]];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') rows.at(-1)!.push(field), (field = '');
    else if (c === '\r' && text[i + 1] === '\n') rows.at(-1)!.push(field), (field = ''), rows.push([]), i++;
    else field += c;
  }
  if (rows.at(-1)!.length === 0) rows.pop();
  return rows;
}

describe('CSV export', () => {
  it('starts with the UTF-8 byte order mark and writes one CRLF row per case under English headers', () => {
    const bytes = renderCsv(sampleCaseRecords());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const rows = parseCsv(new TextDecoder().decode(bytes.slice(3)));
    expect(rows).toHaveLength(4);
    expect(rows[0]).toEqual([
      'id', 'state', 'violation', 'change kind', 'priority', 'grid', 'zones', 'permit', 'area m²', 'height change m', 'height after m',
      'flight date', 'detected at (UTC)', 'longitude', 'latitude',
    ]);
    expect(rows[1].slice(0, 13)).toEqual(['1', 'detected', 'no_permit', 'new_building', '1.5', 'WG-01', '', '', '100', '6.25', '6.5', '2024-10-01', '2024-10-02T03:04:05Z']);
    // degrees to 6 decimals (about 0.1 m), metres and square metres to 2
    expect(rows[1][13]).toBe((120 + 5 / 96190).toFixed(6));
    expect(rows[1][14]).toBe((30.2706 + 5 / 110860).toFixed(6));
    expect(rows[3][8]).toBe('61.54');
  });

  it('round-trips quoted fields and keeps negative numbers as numbers', () => {
    const rows = parseCsv(new TextDecoder().decode(renderCsv(sampleCaseRecords()).slice(3)));
    expect(rows[2][7]).toBe('P-2024,"A"');
    expect(rows[2][6]).toBe('历史街区; main road');
    expect(rows[2][9]).toBe('-3.5');
    expect(rows[2][10]).toBe('');
  });

  it('leaves out the permit of a case without one: the later permit it records is not its own', () => {
    const rows = parseCsv(new TextDecoder().decode(renderCsv(sampleCaseRecords(), { chineseHeaders: true }).slice(3)));
    expect(rows[1].slice(2, 3)).toEqual(['无证建设']);
    expect(rows[1][7]).toBe('');
  });

  it('puts an apostrophe before text a spreadsheet would run as a formula', () => {
    const rows = parseCsv(new TextDecoder().decode(renderCsv(sampleCaseRecords()).slice(3)));
    expect(rows[3][7]).toBe(`'=HYPERLINK("http://x")`);
  });

  it('writes Chinese headers and labels on request', () => {
    const rows = parseCsv(new TextDecoder().decode(renderCsv(sampleCaseRecords(), { chineseHeaders: true }).slice(3)));
    expect(rows[0]).toEqual(['编号', '状态', '违法类型', '变化类型', '优先级', '网格', '区域', '许可证号', '面积(m²)', '高度变化(m)', '建成高度(m)', '航飞日期', '发现时间(UTC)', '经度', '纬度']);
    expect(rows[2].slice(1, 6)).toEqual(['核实违法', '超出许可高度', '屋顶加建', '1.5', '西湖-01']);
    // labels only, no English word (data values such as zones and permits aside)
    for (const row of rows) expect(row.slice(0, 4).join(' ')).not.toMatch(/[a-z]{2,}/);
  });
});
