/**
 * KML 2.2 export, and KMZ (the same document zipped as `doc.kml`): one Placemark per case with
 * its outline in WGS84, a description table of the columns of `columns.ts`, styled by violation.
 */
import { strToU8, zipSync } from 'fflate';
import type { CaseRecord } from '../cases/record.js';
import { VIOLATIONS, type Violation } from '../vocabulary.js';
import { caseColumns, cellText, columnHeaders, type TableOptions } from './columns.js';
import { violationLabels } from './labels.js';

/** Outline colour of each violation as KML writes it (aabbggrr), filled at 40 % opacity. */
const violationColors: Record<Violation, string> = {
  no_permit: '0000ff',
  outside_permitted_footprint: '008cff',
  exceeds_permitted_height: 'f020a0',
  permit_expired: '00d7ff',
  none: '808080',
};

/** The cases as KML text. */
export function renderKml(records: CaseRecord[], options: TableOptions = {}): string {
  const chinese = options.chineseHeaders ?? false;
  const styles = VIOLATIONS.map((v) =>
    `<Style id="${v}"><LineStyle><color>ff${violationColors[v]}</color><width>2</width></LineStyle><PolyStyle><color>66${violationColors[v]}</color></PolyStyle></Style>`);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<kml xmlns="http://www.opengis.net/kml/2.2">',
    '<Document>',
    `<name>${chinese ? '疑似违法建设' : 'zhiwei cases'}</name>`,
    ...styles,
    ...records.map((record) => placemark(record, chinese)),
    '</Document>',
    '</kml>',
    '',
  ].join('\n');
}

/** The cases as KMZ bytes: a zip holding `doc.kml`. */
export function renderKmz(records: CaseRecord[], options: TableOptions = {}): Uint8Array {
  return zipSync({ 'doc.kml': strToU8(renderKml(records, options)) });
}

function placemark(record: CaseRecord, chinese: boolean): string {
  const name = chinese ? `案件 ${record.id}：${violationLabels[record.violation]}` : `case ${record.id}: ${record.violation}`;
  const headers = columnHeaders(chinese);
  const rows = caseColumns.map((column, i) => `<tr><th>${escapeXml(headers[i])}</th><td>${escapeXml(cellText(column, record, chinese))}</td></tr>`);
  const polygons = record.outline.map((polygon) => {
    const [outer, ...holes] = polygon.map((ring) => `<LinearRing><coordinates>${ring.map(([lon, lat]) => `${lon},${lat}`).join(' ')}</coordinates></LinearRing>`);
    return `<Polygon><outerBoundaryIs>${outer}</outerBoundaryIs>${holes.map((hole) => `<innerBoundaryIs>${hole}</innerBoundaryIs>`).join('')}</Polygon>`;
  });
  return [
    `<Placemark id="case-${record.id}">`,
    `<name>${escapeXml(name)}</name>`,
    `<description>${escapeXml(`<table>${rows.join('')}</table>`)}</description>`,
    `<styleUrl>#${record.violation}</styleUrl>`,
    `<MultiGeometry>${polygons.join('')}</MultiGeometry>`,
    '</Placemark>',
  ].join('\n');
}

function escapeXml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}
