/**
 * The columns of the tabular exports (XLSX, CSV) and the KML description: one table, so that
 * every format names and orders a case's fields the same way, in English or in Chinese. The
 * building register's exports (`buildings.ts`) have a table of their own of the same shape.
 */
import type { CaseRecord } from '../cases/record.js';
import { changeKindLabels, stateLabels, violationLabels } from './labels.js';

/** Options of the exports that show the columns. */
export interface TableOptions {
  /** Chinese headers and Chinese labels for states, violations and change kinds. */
  chineseHeaders?: boolean;
}

/** One column: its headers, how many decimals a number shows, and its value for a row. */
export interface TableColumn<T> {
  header: string;
  chineseHeader: string;
  decimals?: number;
  value(row: T, chinese: boolean): string | number | null;
}

/** A column of the case table. */
export type CaseColumn = TableColumn<CaseRecord>;

/** The columns, in order. */
export const caseColumns: readonly CaseColumn[] = Object.freeze([
  { header: 'id', chineseHeader: '编号', value: (r) => r.id },
  { header: 'state', chineseHeader: '状态', value: (r, zh) => (zh ? stateLabels[r.state] : r.state) },
  { header: 'violation', chineseHeader: '违法类型', value: (r, zh) => (zh ? violationLabels[r.violation] : r.violation) },
  { header: 'change kind', chineseHeader: '变化类型', value: (r, zh) => (zh ? changeKindLabels[r.changeKind] : r.changeKind) },
  { header: 'priority', chineseHeader: '优先级', decimals: 2, value: (r) => r.priority },
  { header: 'grid', chineseHeader: '网格', value: (r) => r.gridId },
  { header: 'zones', chineseHeader: '区域', value: (r) => r.zones.join('; ') },
  { header: 'permit', chineseHeader: '许可证号', value: (r) => ownPermit(r) },
  { header: 'area m²', chineseHeader: '面积(m²)', decimals: 2, value: (r) => r.areaM2 },
  { header: 'height change m', chineseHeader: '高度变化(m)', decimals: 2, value: (r) => r.heightChangeM },
  { header: 'height after m', chineseHeader: '建成高度(m)', decimals: 2, value: (r) => r.heightAfterM },
  { header: 'flight date', chineseHeader: '航飞日期', value: (r) => r.flightDate },
  { header: 'detected at (UTC)', chineseHeader: '发现时间(UTC)', value: (r) => isoSeconds(r.detectedAt) },
  { header: 'longitude', chineseHeader: '经度', decimals: 6, value: (r) => outlineCentroid(r.outline)[0] },
  { header: 'latitude', chineseHeader: '纬度', decimals: 6, value: (r) => outlineCentroid(r.outline)[1] },
]);

/**
 * The permit a case is judged against; none for a case without a permit, whose recorded permit is
 * one not yet valid on the flight date (the overlay keeps it for its decision), never the case's own.
 */
export function ownPermit(record: CaseRecord): string | null {
  return record.violation === 'no_permit' ? null : record.permitNo;
}

/** A column's value for people: numbers to the column's decimals, nothing as ''. */
export function cellText<T>(column: TableColumn<T>, row: T, chinese: boolean): string {
  const value = column.value(row, chinese);
  if (value === null) return '';
  return typeof value === 'number' && column.decimals !== undefined ? value.toFixed(column.decimals) : String(value);
}

/** The header row (of the case table unless other columns are given). */
export function columnHeaders(chinese: boolean, columns: readonly { header: string; chineseHeader: string }[] = caseColumns): string[] {
  return columns.map((column) => (chinese ? column.chineseHeader : column.header));
}

/** A time as ISO 8601 UTC to the second (`2024-06-01T08:30:00Z`). */
export function isoSeconds(time: Date): string {
  return time.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Area-weighted centroid of a MultiPolygon's coordinates (holes subtract); the first vertex when it has no area. */
export function outlineCentroid(polygons: [number, number][][][]): [number, number] {
  let area = 0;
  let sx = 0;
  let sy = 0;
  for (const polygon of polygons) {
    polygon.forEach((ring, index) => {
      const [a, cx, cy] = ringMoments(ring);
      // exterior rings add, holes subtract, whichever way each ring winds
      const sign = (index === 0 ? 1 : -1) * Math.sign(a);
      area += sign * a;
      sx += sign * cx;
      sy += sign * cy;
    });
  }
  return area === 0 ? polygons[0][0][0] : [sx / area, sy / area];
}

/** Signed area of a ring and its first moments (sums of x·area and y·area). */
function ringMoments(ring: [number, number][]): [number, number, number] {
  const [x0, y0] = ring[0];
  let area = 0;
  let cx = 0;
  let cy = 0;
  for (let i = 0; i + 1 < ring.length; i++) {
    // relative to the first vertex, so that degrees far from the origin keep their precision
    const [xa, ya] = [ring[i][0] - x0, ring[i][1] - y0];
    const [xb, yb] = [ring[i + 1][0] - x0, ring[i + 1][1] - y0];
    const cross = xa * yb - xb * ya;
    area += cross / 2;
    cx += ((xa + xb) * cross) / 6;
    cy += ((ya + yb) * cross) / 6;
  }
  return [area, cx + x0 * area, cy + y0 * area];
}
