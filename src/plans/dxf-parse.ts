/**
 * ASCII DXF as group-code/value pairs, grouped into the entities of each section. Text is decoded
 * as the file says: UTF-8 from AutoCAD 2007 (AC1021) on, the $DWGCODEPAGE code page before.
 */
import { BadInputError } from '../errors.js';
import { encodingForCodePage, isUtf8 } from './encoding.js';

/** One group code and its value, with the 1-based line number of the code. */
export interface DxfPair {
  code: number;
  value: string;
  line: number;
}

/** An entity (or table entry): its type (the value of group 0), line, and the pairs after it. */
export interface DxfEntity {
  type: string;
  line: number;
  pairs: DxfPair[];
}

/**
 * Decodes a DXF file (honouring `encoding` over what the file declares) and splits it into
 * sections of entities, by section name (HEADER, TABLES, ENTITIES...).
 */
export function parseDxf(bytes: Uint8Array, name: string, encoding?: string): Map<string, DxfEntity[]> {
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 22));
  if (head.startsWith('AutoCAD Binary DXF')) {
    throw new BadInputError(`${name}: binary DXF is not supported`, 'save the drawing as ASCII DXF');
  }
  const label = encoding === undefined ? declaredEncoding(bytes, name) : givenEncoding(encoding, name);
  let text: string;
  try {
    text = new TextDecoder(label, { fatal: true }).decode(bytes);
  } catch {
    throw undecodableLine(bytes, label, name);
  }
  return sectionsOf(pairsOf(text, name), name);
}

function givenEncoding(encoding: string, name: string): string {
  const label = encodingForCodePage(encoding);
  if (label === null) throw new BadInputError(`${name}: unknown encoding "${encoding}"`, 'use UTF-8, GBK, GB18030 or a Windows code page number such as 936');
  return label;
}

/** The refusal of a drawing whose text is not valid in its encoding: the first such line, and how it reads in GBK or UTF-8. */
function undecodableLine(bytes: Uint8Array, label: string, name: string): BadInputError {
  const decode = (line: Uint8Array, encoding: string) => {
    try {
      return new TextDecoder(encoding, { fatal: true }).decode(line).trim();
    } catch {
      return null;
    }
  };
  // a line feed is never part of a multi-byte character in UTF-8 or GBK, so lines decode alone
  const lines: Uint8Array[] = [];
  for (let start = 0, end = 0; start < bytes.length; start = end + 1) {
    end = bytes.indexOf(0x0a, start);
    if (end < 0) end = bytes.length;
    lines.push(bytes.subarray(start, end));
  }
  const index = Math.max(0, lines.findIndex((line) => decode(line, label) === null));
  const other = label === 'utf-8' ? 'gbk' : 'utf-8';
  const reading = decode(lines[index], other);
  const upper = (l: string) => (l === 'utf-8' ? 'UTF-8' : l.toUpperCase());
  return new BadInputError(
    `${name}: line ${index + 1}: the bytes are not ${upper(label)} text, the encoding the drawing is read in`,
    reading === null ? 'pass the text encoding, e.g. --encoding gb18030' : `they read as ${upper(other)}: "${reading.slice(0, 40)}"; pass --encoding ${other}`,
  );
}

/**
 * The encoding the file declares. Group codes are ASCII, so the header reads the same in any
 * encoding. Without $DWGCODEPAGE, UTF-8 if the bytes are valid UTF-8, else GBK.
 */
function declaredEncoding(bytes: Uint8Array, name: string): string {
  const text = new TextDecoder('latin1').decode(bytes.subarray(0, 64 * 1024));
  const version = /\$ACADVER\s*\r?\n\s*1\s*\r?\n\s*(AC\d{4})/.exec(text)?.[1];
  if (version !== undefined && version >= 'AC1021') return 'utf-8';
  const codePage = /\$DWGCODEPAGE\s*\r?\n\s*3\s*\r?\n([^\r\n]*)/.exec(text)?.[1].trim();
  if (codePage === undefined || codePage === '') return isUtf8(bytes) ? 'utf-8' : 'gbk';
  const label = encodingForCodePage(codePage);
  if (label === null) throw new BadInputError(`${name}: unknown $DWGCODEPAGE "${codePage}"`, 'pass the text encoding, e.g. --encoding gbk');
  return label;
}

function pairsOf(text: string, name: string): DxfPair[] {
  const lines = text.split(/\r\n|\r|\n/);
  const pairs: DxfPair[] = [];
  for (let i = 0; i + 1 < lines.length; i += 2) {
    const code = lines[i].trim();
    if (!/^-?\d+$/.test(code)) {
      if (code === '' && lines.slice(i).every((line) => line.trim() === '')) break;
      throw new BadInputError(`${name}: line ${i + 1}: expected a DXF group code, found "${code.slice(0, 40)}"`);
    }
    const pair = { code: Number(code), value: lines[i + 1], line: i + 1 };
    if (isRealCode(pair.code) && !Number.isFinite(Number(pair.value.trim()))) {
      throw new BadInputError(`${name}: line ${pair.line}: group code ${pair.code} holds "${pair.value.trim().slice(0, 40)}", not a finite number`, 'the drawing is damaged: save it again from CAD');
    }
    pairs.push(pair);
  }
  return pairs;
}

/** Group codes whose values are real numbers (coordinates, bulges, heights...), by the DXF reference. */
function isRealCode(code: number): boolean {
  return (code >= 10 && code <= 59) || (code >= 110 && code <= 149) || (code >= 210 && code <= 239) || (code >= 1010 && code <= 1059);
}

function sectionsOf(pairs: DxfPair[], name: string): Map<string, DxfEntity[]> {
  const sections = new Map<string, DxfEntity[]>();
  let current: DxfEntity[] | null = null;
  for (let i = 0; i < pairs.length; i++) {
    const { code, value, line } = pairs[i];
    if (code !== 0) {
      current?.at(-1)?.pairs.push(pairs[i]);
      continue;
    }
    const type = value.trim();
    if (type === 'SECTION') {
      const sectionName = pairs[i + 1]?.code === 2 ? pairs[++i].value.trim() : '';
      current = [];
      sections.set(sectionName, current);
    } else if (type === 'ENDSEC') {
      current = null;
    } else if (type === 'EOF') {
      if (current !== null) throw new BadInputError(`${name}: line ${line}: EOF inside a section, before its ENDSEC: the file is cut short`, 'save the drawing again from CAD');
      return sections;
    } else if (current !== null) {
      current.push({ type, line, pairs: [] });
    }
  }
  if (sections.size === 0) throw new BadInputError(`${name}: no DXF sections found; is this a DXF file?`);
  // a drawing cut short reads as a smaller one: refuse it rather than import part of it
  const last = pairs.at(-1)?.line ?? 0;
  const open = current !== null ? `section ${[...sections.keys()].at(-1)} has no ENDSEC and ` : '';
  throw new BadInputError(`${name}: the drawing ends at line ${last + 1} but ${open}there is no EOF: the file is cut short`, 'save the drawing again from CAD, or copy the whole file');
}
