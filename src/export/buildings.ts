/**
 * Exports of the building register (存量建筑台账): XLSX and CSV in the columns below (Chinese
 * headers and labels with `chineseHeaders`), GeoJSON (WGS84, or the project CRS), and a GeoPackage
 * layer `buildings` in the project CRS, for `zhiwei export --layer buildings` and the export route.
 */
import type { BuildingRecord, BuildingSelection } from '../cases/buildings.js';
import { BadInputError } from '../errors.js';
import { geoPackageBytes } from '../geo/geopackage.js';
import { outlineCentroid, type TableColumn } from './columns.js';
import type { ExportBody, ExportOptions } from './index.js';
import { chineseLabel } from './labels.js';

/** Metres and square metres to the centimetre (null stays null). */
const centimetres = (value: number | null) => (value === null ? null : Math.round(value * 100) / 100);

/**
 * The permit a building is judged against; none for one without a permit, whose recorded permit is
 * one not valid on the flight date (as `ownPermit` of the case exports).
 */
function ownPermit(b: BuildingRecord): string | null {
  return b.violation === 'no_permit' ? null : b.permitNo;
}

/** The columns of the tabular exports, in order. */
export const buildingColumns: readonly TableColumn<BuildingRecord>[] = Object.freeze([
  { header: 'id', chineseHeader: '编号', value: (b) => b.id },
  { header: 'area m²', chineseHeader: '面积（平方米）', decimals: 2, value: (b) => b.areaM2 },
  { header: 'roof height m', chineseHeader: '屋顶高度（米）', decimals: 2, value: (b) => b.roofHeightM },
  { header: 'roof height max m', chineseHeader: '屋顶最大高度（米）', decimals: 2, value: (b) => b.roofHeightMaxM },
  { header: 'floors', chineseHeader: '层数', value: (b) => b.floors },
  { header: 'roof form', chineseHeader: '屋顶形式', value: (b, zh) => (b.roofForm && zh ? chineseLabel(`roof_form.${b.roofForm}`) : b.roofForm) },
  { header: 'rooftop structures', chineseHeader: '屋顶构筑物（个）', value: (b) => b.rooftopStructures },
  { header: 'legality', chineseHeader: '合法性', value: (b, zh) => (zh ? chineseLabel(`legality.${b.legality}`) : b.legality) },
  { header: 'violation', chineseHeader: '违法类型', value: (b, zh) => (zh ? chineseLabel(`violation.${b.violation}`) : b.violation) },
  { header: 'permit', chineseHeader: '许可证号', value: ownPermit },
  { header: 'grid', chineseHeader: '网格', value: (b) => b.gridId },
  { header: 'case', chineseHeader: '案件编号', value: (b) => b.caseId },
  { header: 'flight date', chineseHeader: '航飞日期', value: (b) => b.flightDate },
  { header: 'first survey job', chineseHeader: '首次普查批次', value: (b) => b.firstJobId },
  { header: 'last survey job', chineseHeader: '最近普查批次', value: (b) => b.lastJobId },
  { header: 'longitude', chineseHeader: '经度', decimals: 6, value: (b) => outlineCentroid(b.outline)[0] },
  { header: 'latitude', chineseHeader: '纬度', decimals: 6, value: (b) => outlineCentroid(b.outline)[1] },
]);

/** A building's fields under the names the database and the API use (GeoJSON and GeoPackage). */
export function buildingProperties(b: BuildingRecord): Record<string, unknown> {
  return {
    id: b.id, area_m2: centimetres(b.areaM2), roof_height_m: centimetres(b.roofHeightM), roof_height_max_m: centimetres(b.roofHeightMaxM), floors: b.floors,
    roof_form: b.roofForm, rooftop_structures: b.rooftopStructures, legality: b.legality, violation: b.violation, permit_no: ownPermit(b), grid_id: b.gridId,
    case_id: b.caseId, flight_date: b.flightDate, first_job_id: b.firstJobId, last_job_id: b.lastJobId,
  };
}

/** The buildings as GeoJSON text: RFC 7946 in WGS84, or with `crs: 'source'` the project CRS named in a `crs` member. */
export function renderBuildingsGeoJson(buildings: BuildingRecord[], options: ExportOptions = {}): string {
  const source = options.crs === 'source';
  const features = buildings.map((b) => ({
    type: 'Feature', id: b.id, properties: buildingProperties(b), geometry: { type: 'MultiPolygon', coordinates: source ? b.projectOutline.coordinates : b.outline },
  }));
  const crs = source && buildings.length > 0 ? { crs: { type: 'name', properties: { name: `urn:ogc:def:crs:EPSG::${buildings[0].projectOutline.epsg}` } } } : {};
  return `${JSON.stringify({ type: 'FeatureCollection', ...crs, features })}\n`;
}

const sheetName = { chinese: '存量建筑台账', english: 'buildings' };

/** One format of the register's exports. */
export interface BuildingExportFormat {
  mediaType: string;
  extension: string;
  options: (keyof ExportOptions)[];
  render(buildings: BuildingRecord[], options: ExportOptions): Promise<ExportBody>;
}

/** The register's formats, by the name `--format` takes (the case formats' media types and extensions). */
export const buildingExportFormats: Readonly<Record<'xlsx' | 'csv' | 'geojson' | 'gpkg', BuildingExportFormat>> = Object.freeze({
  xlsx: {
    mediaType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', extension: 'xlsx', options: ['chineseHeaders'],
    render: async (buildings, options) => (await import('./xlsx.js')).tableXlsx(buildingColumns, buildings, options, sheetName),
  },
  csv: {
    mediaType: 'text/csv; charset=utf-8', extension: 'csv', options: ['chineseHeaders'],
    render: async (buildings, options) => (await import('./csv.js')).tableCsv(buildingColumns, buildings, options),
  },
  geojson: { mediaType: 'application/geo+json', extension: 'geojson', options: ['crs'], render: async (buildings, options) => renderBuildingsGeoJson(buildings, options) },
  gpkg: {
    mediaType: 'application/geopackage+sqlite3', extension: 'gpkg', options: [],
    render: (buildings) =>
      geoPackageBytes([{ name: 'buildings', epsg: buildings[0].projectOutline.epsg, features: buildings.map((b) => ({ properties: buildingProperties(b), polygons: b.projectOutline.coordinates })) }]),
  },
});

/** The register's format called `name`; a BadInputError naming the formats it has when there is none. */
export function buildingExportFormat(name: string, field?: string): BuildingExportFormat {
  if (Object.hasOwn(buildingExportFormats, name)) return buildingExportFormats[name as keyof typeof buildingExportFormats];
  throw new BadInputError(`the building register does not export as ${name}`, `it exports as ${Object.keys(buildingExportFormats).join(', ')}`, field);
}

/** Refuses an empty selection: nothing is written. */
export function refuseNoBuildings(count: number, selection: BuildingSelection): void {
  if (count > 0) return;
  const filters = [
    selection.violations?.length && `with violation ${selection.violations.join(' or ')}`,
    selection.grids?.length && `in grid ${selection.grids.join(' or ')}`,
    selection.jobId !== undefined && `observed by survey job ${selection.jobId}`,
  ].filter(Boolean);
  throw new BadInputError(`no buildings ${filters.length > 0 ? filters.join(', ') : 'in the register'}; nothing written`, 'the register is filled by `zhiwei survey` with plans');
}
