/**
 * XLSX export (exceljs): one sheet, one row per case in the columns of `columns.ts` (or per row of
 * another table, such as the building register's), numbers as numbers with their decimals shown,
 * the header row frozen and filterable.
 */
import ExcelJS from 'exceljs';
import type { CaseRecord } from '../cases/record.js';
import { caseColumns, cellText, columnHeaders, type TableColumn, type TableOptions } from './columns.js';

/** The cases as an XLSX workbook's bytes. */
export function renderXlsx(records: CaseRecord[], options: TableOptions = {}): Promise<Uint8Array> {
  return tableXlsx(caseColumns, records, options, { chinese: '疑似违法建设', english: 'cases' });
}

/** The rows in `columns` as the bytes of a workbook of one sheet, named in the headers' language. */
export async function tableXlsx<T>(
  columns: readonly TableColumn<T>[], rows: T[], options: TableOptions, sheetName: { chinese: string; english: string },
): Promise<Uint8Array> {
  const chinese = options.chineseHeaders ?? false;
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'zhiwei';
  const sheet = workbook.addWorksheet(chinese ? sheetName.chinese : sheetName.english, { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = columnHeaders(chinese, columns).map((header, index) => {
    const column = columns[index];
    // wide enough for the header and the longest value (a permit number, a time), within reason
    const widest = Math.max(textWidth(header), ...rows.map((row) => textWidth(cellText(column, row, chinese))));
    const { decimals } = column;
    return { header, width: Math.min(60, Math.max(10, widest + 2)), ...(decimals ? { style: { numFmt: `0.${'0'.repeat(decimals)}` } } : {}) };
  });
  sheet.getRow(1).font = { bold: true };
  for (const row of rows) sheet.addRow(columns.map((column) => column.value(row, chinese)));
  sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: columns.length } };
  return new Uint8Array(await workbook.xlsx.writeBuffer());
}

/** Width of text in spreadsheet characters: a Chinese (full-width) character takes two. */
function textWidth(text: string): number {
  return [...text].reduce((width, char) => width + (char.codePointAt(0)! > 0x2e7f ? 2 : 1), 0);
}
