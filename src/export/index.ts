/**
 * The export formats by name, each loaded when first used (exceljs, pdfkit, sql.js are heavy): what a
 * format needs (case records, or full dossiers with events and evidence), its media type and file
 * extension, and its renderer: one table for `zhiwei export` and for the service's export routes.
 */
import type { Readable } from 'node:stream';
import type { CaseDossier, CaseRecord } from '../cases/record.js';

/** Options a renderer may take: Chinese headers (xlsx, csv, kml, kmz), the CRS (geojson). */
export interface ExportOptions {
  chineseHeaders?: boolean;
  crs?: 'wgs84' | 'source';
}

/** What a renderer produces: the whole file, or a stream of it. */
export type ExportBody = Uint8Array | string | Readable;

/** One export format. */
export type ExportFormat = {
  mediaType: string;
  extension: string;
  /** The options it takes; any other is refused. */
  options: (keyof ExportOptions)[];
} & (
  | { input: 'records'; render(records: CaseRecord[], options: ExportOptions): Promise<ExportBody> }
  | { input: 'dossiers'; render(dossiers: CaseDossier[], options: ExportOptions): Promise<ExportBody> }
);

/** The formats, by the name `--format` takes. */
export const exportFormats = Object.freeze({
  xlsx: {
    mediaType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', extension: 'xlsx', options: ['chineseHeaders'], input: 'records',
    render: async (records, options) => (await import('./xlsx.js')).renderXlsx(records, options),
  },
  csv: {
    mediaType: 'text/csv; charset=utf-8', extension: 'csv', options: ['chineseHeaders'], input: 'records',
    render: async (records, options) => (await import('./csv.js')).renderCsv(records, options),
  },
  geojson: {
    mediaType: 'application/geo+json', extension: 'geojson', options: ['crs'], input: 'records',
    render: async (records, options) => (await import('./geojson.js')).renderGeoJson(records, options),
  },
  kml: {
    mediaType: 'application/vnd.google-earth.kml+xml', extension: 'kml', options: ['chineseHeaders'], input: 'records',
    render: async (records, options) => (await import('./kml.js')).renderKml(records, options),
  },
  kmz: {
    mediaType: 'application/vnd.google-earth.kmz', extension: 'kmz', options: ['chineseHeaders'], input: 'records',
    render: async (records, options) => (await import('./kml.js')).renderKmz(records, options),
  },
  gpkg: {
    mediaType: 'application/geopackage+sqlite3', extension: 'gpkg', options: [], input: 'records',
    render: async (records) => (await import('./geopackage.js')).renderGeoPackage(records),
  },
  // one case gets its own dossier, several a batch dossier with a cover page
  pdf: {
    mediaType: 'application/pdf', extension: 'pdf', options: [], input: 'dossiers',
    render: async (dossiers) => {
      const { renderBatchPdf, renderCasePdf } = await import('./pdf.js');
      return dossiers.length === 1 ? renderCasePdf(dossiers[0]) : renderBatchPdf(dossiers);
    },
  },
} satisfies Record<string, ExportFormat>);

/** A format name. */
export type ExportFormatName = keyof typeof exportFormats;
