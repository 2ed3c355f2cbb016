/**
 * CSV export: UTF-8 with a byte order mark (so that Excel opens Chinese text correctly), RFC 4180
 * quoting and CRLF line ends, one row per case in the columns of `columns.ts` (or per row of
 * another table, such as the building register's).
 */
import type { CaseRecord } from '../cases/record.js';
import { caseColumns, columnHeaders, type TableColumn, type TableOptions } from './columns.js';

/** The cases as CSV bytes. */
export function renderCsv(records: CaseRecord[], options: TableOptions = {}): Uint8Array {
  return tableCsv(caseColumns, records, options);
}

/** The rows in `columns` as CSV bytes. */
export function tableCsv<T>(columns: readonly TableColumn<T>[], rows: T[], options: TableOptions = {}): Uint8Array {
  const chinese = options.chineseHeaders ?? false;
  const lines = [columnHeaders(chinese, columns).map(csvField)];
  for (const row of rows) {
    lines.push(columns.map((column) => {
      const value = column.value(row, chinese);
      if (value === null) return '';
      return typeof value === 'number' ? formatNumber(value, column.decimals) : csvField(neutralizeFormula(value));
    }));
  }
  return new TextEncoder().encode(`\uFEFF${lines.map((fields) => fields.join(',')).join('\r\n')}\r\n`);
}

/** A field quoted when it holds a comma, quote or line break (RFC 4180), quotes doubled. */
function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * Text that a spreadsheet would run as a formula (starting with = + - @, or a tab or carriage
 * return before one) gets a leading apostrophe, so that it shows as text (CSV injection).
 */
function neutralizeFormula(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

function formatNumber(value: number, decimals: number | undefined): string {
  return decimals === undefined ? String(value) : String(Number(value.toFixed(decimals)));
}
