/**
 * The attribute table of a Shapefile (.dbf, dBASE III): a header with field descriptors, then
 * fixed-width text records, each led by a deletion flag.
 */
import { BadInputError } from '../errors.js';
import { isUtf8 } from './encoding.js';

interface DbfField {
  nameBytes: Uint8Array;
  type: string;
  offset: number;
  length: number;
}

interface DbfLayout {
  fields: DbfField[];
  recordCount: number;
  headerLength: number;
  recordLength: number;
}

/** Attributes of each record, in file order; null for a record marked deleted. */
export type DbfRecords = (Record<string, unknown> | null)[];

function layout(bytes: Uint8Array, name: string): DbfLayout {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 33) throw new BadInputError(`${name}: the .dbf file is too short to be a dBASE table`);
  const recordCount = view.getUint32(4, true);
  const headerLength = view.getUint16(8, true);
  const recordLength = view.getUint16(10, true);
  const fields: DbfField[] = [];
  // Descriptors are 32 bytes each from byte 32, ended by 0x0D; record bytes start after the deletion flag.
  for (let at = 32, offset = 1; at + 32 <= headerLength && bytes[at] !== 0x0d; at += 32) {
    const nameEnd = bytes.subarray(at, at + 11).indexOf(0);
    const length = bytes[at + 16];
    fields.push({ nameBytes: bytes.subarray(at, at + (nameEnd < 0 ? 11 : nameEnd)), type: String.fromCharCode(bytes[at + 11]), offset, length });
    offset += length;
  }
  if (headerLength + recordCount * recordLength > bytes.length) {
    throw new BadInputError(`${name}: the .dbf file is shorter than its ${recordCount} records`);
  }
  return { fields, recordCount, headerLength, recordLength };
}

/** True when the field names and records are valid UTF-8 (the binary header is not looked at). */
export function dbfIsUtf8(bytes: Uint8Array, name: string): boolean {
  const { fields, headerLength } = layout(bytes, name);
  return fields.every((field) => isUtf8(field.nameBytes)) && isUtf8(bytes.subarray(headerLength));
}

/** The text encoding of a table (a TextDecoder label) and where it comes from, as messages say it ("as plans.cpg says"). */
export interface DbfEncoding {
  label: string;
  source: string;
}

/**
 * Reads every record with text decoded in `encoding`. Text that is not valid in that encoding is
 * refused with its row and field, saying how its bytes read in the other usual encoding.
 */
export function readDbf(bytes: Uint8Array, encoding: DbfEncoding, name: string): DbfRecords {
  const { fields, recordCount, headerLength, recordLength } = layout(bytes, name);
  const decoder = new TextDecoder(encoding.label, { fatal: true });
  const decode = (raw: Uint8Array, where: string) => {
    try {
      return decoder.decode(raw);
    } catch {
      throw undecodable(raw, encoding, `${name}: ${where}`);
    }
  };
  const names = fields.map((field, f) => decode(field.nameBytes, `field ${f + 1}'s name`).trim());
  const records: DbfRecords = [];
  for (let i = 0; i < recordCount; i++) {
    const record = bytes.subarray(headerLength + i * recordLength, headerLength + (i + 1) * recordLength);
    if (record[0] === 0x2a) {
      records.push(null);
      continue;
    }
    const properties: Record<string, unknown> = {};
    fields.forEach((field, f) => {
      const text = decode(record.subarray(field.offset, field.offset + field.length), `row ${i + 1}: field "${names[f]}"`);
      properties[names[f]] = fieldValue(text, field.type);
    });
    records.push(properties);
  }
  return records;
}

/** The refusal of text that is not valid in the table's encoding, with its reading in GBK or UTF-8 where that works. */
function undecodable(raw: Uint8Array, encoding: DbfEncoding, where: string): BadInputError {
  const other = encoding.label === 'utf-8' ? 'gbk' : 'utf-8';
  let reading: string | null = null;
  try {
    reading = new TextDecoder(other, { fatal: true }).decode(raw).replace(/\0/g, '').trim();
  } catch {
    // not that encoding either
  }
  const label = (l: string) => (l === 'utf-8' ? 'UTF-8' : l.toUpperCase());
  return new BadInputError(
    `${where}: the bytes are not ${label(encoding.label)} text, ${encoding.source}`,
    reading === null ? 'pass the encoding of the attribute table, e.g. --encoding gb18030' : `they read as ${label(other)}: "${reading.slice(0, 40)}"; pass --encoding ${other}`,
  );
}

/** A field's value from its text: numbers for N/F, ISO date strings for D, booleans for L, text otherwise; null when blank. */
function fieldValue(decoded: string, type: string): unknown {
  const text = decoded.replace(/\0/g, '').trim();
  if (text === '') return null;
  if (type === 'N' || type === 'F') {
    const value = Number(text);
    return Number.isFinite(value) ? value : null; // dBASE fills overflowing numbers with '*'
  }
  if (type === 'D') return /^\d{8}$/.test(text) && text !== '00000000' ? `${text.slice(0, 4)}-${text.slice(4, 6)}-${text.slice(6)}` : null;
  if (type === 'L') return 'TtYy'.includes(text) ? true : 'FfNn'.includes(text) ? false : null;
  return text;
}
