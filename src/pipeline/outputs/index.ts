/**
 * The output folder of `zhiwei detect` (DESIGN.md section 3): `evidence/<id>/` chips,
 * `candidates.geojson`, `summary.json`, the change rasters (`change-rasters.ts`), and
 * `suspects.geojson` with its QGIS style `suspects.qml` when the candidates were judged against
 * plans; `results.gpkg` holds the same layers in the project CRS (the grid's when not judged).
 * The run writes them into a fresh folder (`freshFolder`) that it swaps in whole.
 */
import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ReplaceableFolder } from '../../files.js';
import { crsTransform, toWgs84, type CoordinateTransform } from '../../geo/crs.js';
import { transformPolygons } from '../../geo/geojson.js';
import { writeGeoPackage, type GeoPackageLayer } from '../../geo/geopackage.js';
import type { Candidate } from '../candidate.js';
import { writeCandidateEvidence, type EvidenceSources } from './evidence.js';
import { suspectsStyle } from './qgis-style.js';
import type { OverlayVerdict } from '../overlay/index.js';
import { CHANGE_KINDS, type ChangeKind } from '../../vocabulary.js';
import { type AnalysisGrid } from '../../raster/types.js';
import { type ProgressFactory } from '../types.js';

/** What a detect run writes besides its evidence. */
export interface DetectResults {
  grid: AnalysisGrid;
  candidates: Candidate[];
  /** Each candidate's evidence paths relative to the output folder, by id (from `writeEvidence`). */
  evidence: Map<string, string[]>;
  /** The overlay's verdicts by candidate id, when the candidates were judged against plans. */
  verdicts?: Map<string, OverlayVerdict>;
  /** The project CRS, when the candidates were judged: `results.gpkg` is in it. */
  projectEpsg?: number;
  /** The run's summary (mode, grid, timings, overlay counts...); `candidate_totals` (counts, area) is added. */
  summary: Record<string, unknown>;
}

/** An output folder of `zhiwei detect` may replace an earlier one, which holds one of these. */
export const detectOutputFolder: ReplaceableFolder = { markers: ['summary.json', 'candidates.geojson'], what: 'an earlier detect output' };

/** A candidate id names a folder: no separators, no `..`. */
const safeId = /^(?!\.{1,2}$)[\w.-]+$/;

/** Candidate ids must be unique and usable as folder names. */
export function checkIds(candidates: Candidate[]): void {
  const seen = new Set<string>();
  for (const { id } of candidates) {
    if (!safeId.test(id)) throw new RangeError(`candidate id "${id}" is not usable as a folder name (letters, digits, _ - . only)`);
    if (seen.has(id)) throw new RangeError(`candidate id "${id}" is used twice`);
    seen.add(id);
  }
}

/** Candidates whose chips are made at once: libvips decodes and encodes one's off the main thread while another's are resampled. */
const concurrentCandidates = 4;

/** Runs tasks at most `concurrentCandidates` at a time, in the order they come. */
function candidateQueue() {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (running >= concurrentCandidates) await new Promise<void>((resolve) => waiting.push(resolve));
    running++;
    try {
      return await task();
    } finally {
      running--;
      waiting.shift()?.();
    }
  };
}

/**
 * Evidence of candidates written as they are found, while the rest of the grid is still read:
 * each candidate's chips go into a folder of their own (`evidence/.found-<n>`) as soon as it is
 * judged, a few candidates at a time, and `finish` renames the folders to the candidates' ids,
 * which follow the scan order of all of them and so are known only at the end.
 */
export function evidenceAsFound(folder: string, grid: AnalysisGrid, sources: EvidenceSources) {
  const queue = candidateQueue();
  // by the candidate's polygons, which its numbered copy shares
  const writing = new Map<unknown, Promise<{ dir: string; names: string[] }>>();
  /** Resolves once no chip is being written any more, whether all were written or not. */
  const settled = async (): Promise<void> => {
    await Promise.allSettled(writing.values());
  };
  return {
    add(candidate: Pick<Candidate, 'polygons'>): void {
      const dir = join(folder, 'evidence', `.found-${writing.size + 1}`);
      const written = queue(async () => ({ dir, names: await writeCandidateEvidence(dir, grid, candidate, sources) }));
      // awaited in `finish` or `settled`
      written.catch(() => {});
      writing.set(candidate.polygons, written);
    },
    /** Each candidate's evidence paths relative to the folder, by id, once its chips are in `evidence/<id>/`. */
    async finish(candidates: Pick<Candidate, 'id' | 'polygons'>[], progress?: ProgressFactory): Promise<Map<string, string[]>> {
      await settled();
      const paths = new Map<string, string[]>();
      const bar = progress?.('evidence', candidates.length, 'candidates');
      for (const candidate of candidates) {
        const { dir, names } = await writing.get(candidate.polygons)!;
        // without rasters for any chip no folder was made
        if (names.length > 0) await rename(dir, join(folder, 'evidence', candidate.id));
        paths.set(candidate.id, names.map((name) => `evidence/${candidate.id}/${name}`));
        bar?.tick();
      }
      bar?.done();
      return paths;
    },
    settled,
  };
}

/**
 * Writes each candidate's chips into `<folder>/evidence/<id>/`, a few candidates at a time;
 * returns their paths relative to the folder, by id, in the candidates' order. Without rasters no
 * chips are written.
 */
export async function writeEvidence(
  folder: string,
  grid: AnalysisGrid,
  candidates: Pick<Candidate, 'id' | 'polygons'>[],
  evidence: EvidenceSources | undefined,
  progress?: ProgressFactory,
): Promise<Map<string, string[]>> {
  const paths = new Map<string, string[]>();
  if (!evidence) return paths;
  const bar = progress?.('evidence', candidates.length, 'candidates');
  const queue = candidateQueue();
  const written = await Promise.all(
    candidates.map((candidate) =>
      queue(async () => {
        const names = await writeCandidateEvidence(join(folder, 'evidence', candidate.id), grid, candidate, evidence);
        bar?.tick();
        return names;
      }),
    ),
  );
  candidates.forEach((candidate, i) => paths.set(candidate.id, written[i].map((name) => `evidence/${candidate.id}/${name}`)));
  bar?.done();
  return paths;
}

/**
 * Writes `candidates.geojson`, `suspects.geojson` and `suspects.qml` (when judged), `results.gpkg`
 * (in the project CRS when judged, else the grid's when it has an EPSG code, which a GeoPackage
 * names) and `summary.json` into `folder`.
 */
export async function writeResults(folder: string, { grid, candidates, evidence, verdicts, projectEpsg, summary }: DetectResults): Promise<void> {
  await writeFile(join(folder, 'candidates.geojson'), candidatesGeoJson(grid, candidates, evidence, verdicts));
  const suspects = verdicts ? candidates.filter((c) => verdicts.get(c.id)?.suspect) : null;
  if (suspects) {
    await writeFile(join(folder, 'suspects.geojson'), candidatesGeoJson(grid, suspects, evidence, verdicts));
    await writeFile(join(folder, 'suspects.qml'), suspectsStyle());
  }
  const epsg = projectEpsg ?? grid.epsg;
  if (epsg !== null) {
    const layer = (name: string, chosen: Candidate[]) => geoPackageLayer(grid, epsg, name, chosen.map((c) => candidateFeature(c, evidence, verdicts)));
    await writeGeoPackage(join(folder, 'results.gpkg'), [layer('candidates', candidates), ...(suspects ? [layer('suspects', suspects)] : [])]);
  }
  const full = { ...summary, candidate_totals: candidateTotals(candidates) };
  await writeFile(join(folder, 'summary.json'), `${JSON.stringify(full, null, 2)}\n`);
}

/** A polygon feature to write: polygons (with holes) in the analysis grid's CRS, and its properties. */
export interface PolygonFeature {
  polygons: [number, number][][][];
  properties: Record<string, unknown>;
}

/** A GeoPackage layer of `features` (polygons in the grid's CRS) in EPSG `epsg`. */
export function geoPackageLayer(grid: AnalysisGrid, epsg: number, name: string, features: PolygonFeature[]): GeoPackageLayer {
  const toEpsg = crsTransform(grid.epsg ?? grid.crs, epsg);
  return {
    name,
    epsg,
    features: features.map(({ polygons, properties }) => ({ properties, polygons: epsg === grid.epsg ? polygons : transformPolygons(polygons, toEpsg) })),
  };
}

/** Rounds to `digits` decimals; non-finite values become null. */
export function round(value: number | null, digits: number): number | null {
  if (value === null || !Number.isFinite(value)) return null;
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/**
 * The candidates as an RFC 7946 FeatureCollection in WGS84 (`featureCollection`); with verdicts,
 * each carries the overlay's too.
 */
export function candidatesGeoJson(grid: AnalysisGrid, candidates: Candidate[], evidence: Map<string, string[]>, verdicts?: Map<string, OverlayVerdict>): string {
  return featureCollection(grid, candidates.map((candidate) => candidateFeature(candidate, evidence, verdicts)));
}

/**
 * Features as an RFC 7946 FeatureCollection in WGS84, one feature a line, with the grid's CRS
 * noted in the foreign member `crs_source`.
 */
export function featureCollection(grid: AnalysisGrid, features: PolygonFeature[]): string {
  const crs = grid.epsg ?? grid.crs;
  const transform = toWgs84(crs);
  const lines = features.map(({ polygons: gridPolygons, properties }) => {
    const polygons = gridPolygons.map((rings) => rings.map((ring, i) => wgs84Ring(ring, transform, i === 0)));
    const geometry = polygons.length === 1
      ? { type: 'Polygon', coordinates: polygons[0] }
      : { type: 'MultiPolygon', coordinates: polygons };
    return JSON.stringify({ type: 'Feature', properties, geometry });
  });
  const head = `{"type":"FeatureCollection","crs_source":${JSON.stringify(typeof crs === 'number' ? `EPSG:${crs}` : crs)},"features":[`;
  return `${head}\n${lines.join(',\n')}\n]}\n`;
}

/** A candidate as a feature to write. */
function candidateFeature(candidate: Candidate, evidence: Map<string, string[]>, verdicts?: Map<string, OverlayVerdict>): PolygonFeature {
  return { polygons: candidate.polygons, properties: candidateProperties(candidate, evidence, verdicts) };
}

/** A candidate's measurements, reason and evidence, with the overlay's verdict when it was judged. */
function candidateProperties(candidate: Candidate, evidence: Map<string, string[]>, verdicts?: Map<string, OverlayVerdict>): Record<string, unknown> {
  return {
    id: candidate.id,
    change_kind: candidate.changeKind,
    area_m2: round(candidate.areaM2, 1),
    height_change_m: round(candidate.heightChangeM, 2),
    height_change_max_m: round(candidate.heightChangeMaxM, 2),
    height_after_m: round(candidate.heightAfterM, 2),
    confidence: round(candidate.confidence, 3),
    reason: candidate.reason,
    evidence: evidence.get(candidate.id) ?? [],
    ...verdictProperties(verdicts?.get(candidate.id)),
  };
}

/** The overlay's properties of a candidate (none when it was not judged). */
export function verdictProperties(verdict: OverlayVerdict | undefined): Record<string, unknown> {
  if (!verdict) return {};
  return {
    suspect: verdict.suspect,
    violation: verdict.violation,
    decision: verdict.decision,
    // a permit near a no_permit suspect is not its own (valid only later, say): the decision names it
    permit_no: verdict.violation === 'no_permit' ? null : verdict.permitNo,
    grid_id: verdict.gridId,
    zones: verdict.zones,
    priority: verdict.priority,
    case_id: verdict.caseId,
  };
}

/**
 * A ring in WGS84 rounded to 1e-7° (about 1 cm), closed, without repeated positions, and turned
 * by the right-hand rule: outer rings counterclockwise, holes clockwise.
 */
function wgs84Ring(ring: [number, number][], transform: CoordinateTransform, outer: boolean): [number, number][] {
  const out: [number, number][] = [];
  for (const point of ring) {
    const [lon, lat] = transform(point);
    const p: [number, number] = [round(lon, 7) as number, round(lat, 7) as number];
    const last = out[out.length - 1];
    if (!last || last[0] !== p[0] || last[1] !== p[1]) out.push(p);
  }
  if (out.length > 1 && out[0][0] === out[out.length - 1][0] && out[0][1] === out[out.length - 1][1]) out.pop();
  out.push(out[0]);
  // shoelace relative to the first position, so that degrees keep their precision
  const [x0, y0] = out[0];
  let twice = 0;
  for (let i = 0; i + 1 < out.length; i++) {
    twice += (out[i][0] - x0) * (out[i + 1][1] - y0) - (out[i + 1][0] - x0) * (out[i][1] - y0);
  }
  return twice > 0 === outer ? out : out.reverse();
}

/** Counts and total area of the candidates, overall and by change kind. */
function candidateTotals(candidates: Candidate[]): Record<string, unknown> {
  type Totals = { count: number; area_m2: number };
  const byKind = Object.fromEntries(CHANGE_KINDS.map((kind) => [kind, { count: 0, area_m2: 0 }])) as Record<ChangeKind, Totals>;
  let area = 0;
  for (const { changeKind, areaM2 } of candidates) {
    byKind[changeKind].count++;
    byKind[changeKind].area_m2 += areaM2;
    area += areaM2;
  }
  for (const kind of CHANGE_KINDS) byKind[kind].area_m2 = round(byKind[kind].area_m2, 1) as number;
  return { count: candidates.length, area_m2: round(area, 1), by_kind: byKind };
}
