/**
 * The output folder of `zhiwei detect` (DESIGN.md section 3): `candidates.geojson`, `summary.json`
 * and `evidence/<id>/` chips, and `suspects.geojson` when the candidates were judged against plans;
 * written atomically: everything goes into a sibling folder that replaces the output folder only
 * when complete, so a run leaves either all of it or nothing new.
 */
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { ConflictError } from '../../errors.js';
import { toWgs84, type CoordinateTransform } from '../../geo/crs.js';
import type { Candidate } from '../candidate.js';
import { writeCandidateEvidence, type EvidenceSources } from './evidence.js';
import type { OverlayVerdict } from '../overlay/index.js';
import { CHANGE_KINDS, type ChangeKind } from '../../vocabulary.js';
import { type AnalysisGrid } from '../../raster/types.js';
import { type ProgressFactory } from '../types.js';

/** What `writeDetectOutputs` writes. */
export interface DetectOutputs {
  grid: AnalysisGrid;
  candidates: Candidate[];
  /** The run's own summary (mode, grid, timings, tiles/s, offset fit...); `candidate_totals` (counts, area) is added. */
  summary: Record<string, unknown>;
  /** Rasters to cut evidence chips from; without them no chips are written. */
  evidence?: EvidenceSources;
  progress?: ProgressFactory;
  /**
   * Judges the candidates once their evidence is written (the overlay in the database), given the
   * folder being written and each candidate's evidence paths; returns the verdicts by candidate id
   * and what to add to the summary. A failure here leaves the output folder untouched.
   */
  judge?: (partialDir: string, evidence: Map<string, string[]>) => Promise<Judgement>;
}

/** What judging the candidates returns. */
export interface Judgement {
  verdicts: Map<string, OverlayVerdict>;
  summary: Record<string, unknown>;
}

/** Files a folder must hold to be replaced as an earlier run's output. */
const markerFiles = ['summary.json', 'candidates.geojson'];
/** A candidate id names a folder: no separators, no `..`. */
const safeId = /^(?!\.{1,2}$)[\w.-]+$/;

/**
 * Writes the outputs of a run into `outDir`. An existing `outDir` is replaced when it is empty or
 * an earlier run's output (it holds `summary.json` or `candidates.geojson`), and refused otherwise;
 * on any error the temporary folder is removed and an earlier `outDir` is left as it was.
 * Returns the judgement of the candidates, when there was one.
 */
export async function writeDetectOutputs(outDir: string, outputs: DetectOutputs): Promise<Judgement | undefined> {
  checkIds(outputs.candidates);
  const target = resolve(outDir);
  await checkReplaceable(target);
  await mkdir(dirname(target), { recursive: true });
  const partial = `${target}.partial-${process.pid}`;
  await rm(partial, { recursive: true, force: true });
  await mkdir(partial);
  try {
    const evidence = await writeEvidence(partial, outputs);
    const judgement = await outputs.judge?.(partial, evidence);
    const verdicts = judgement?.verdicts;
    await writeFile(join(partial, 'candidates.geojson'), candidatesGeoJson(outputs.grid, outputs.candidates, evidence, verdicts));
    if (verdicts) {
      const suspects = outputs.candidates.filter((c) => verdicts.get(c.id)?.suspect);
      await writeFile(join(partial, 'suspects.geojson'), candidatesGeoJson(outputs.grid, suspects, evidence, verdicts));
    }
    const summary = { ...outputs.summary, ...judgement?.summary, candidate_totals: candidateTotals(outputs.candidates) };
    await writeFile(join(partial, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
    await swapIn(partial, target);
    return judgement;
  } catch (err) {
    await rm(partial, { recursive: true, force: true });
    throw err;
  }
}

/** Candidate ids must be unique and usable as folder names. */
function checkIds(candidates: Candidate[]): void {
  const seen = new Set<string>();
  for (const { id } of candidates) {
    if (!safeId.test(id)) throw new RangeError(`candidate id "${id}" is not usable as a folder name (letters, digits, _ - . only)`);
    if (seen.has(id)) throw new RangeError(`candidate id "${id}" is used twice`);
    seen.add(id);
  }
}

/** Refuses to replace a file, or a folder that is neither empty nor an earlier run's output. */
async function checkReplaceable(target: string): Promise<void> {
  const info = await stat(target).catch(() => null);
  if (info === null) return;
  if (!info.isDirectory()) throw new ConflictError(`${target} exists and is not a folder`, 'pass another --out');
  const entries = await readdir(target);
  if (entries.length > 0 && !markerFiles.some((name) => entries.includes(name))) {
    throw new ConflictError(
      `${target} is not empty and does not hold an earlier detect output; it would be replaced`,
      'pass a new or empty folder as --out',
    );
  }
}

/**
 * Moves the complete folder into place. POSIX cannot rename a folder over a non-empty one, so an
 * earlier output is first moved aside, then deleted; if the second rename fails it is moved back.
 * Only a crash between the two renames leaves no `target`, the earlier output then at `previous`.
 */
export async function swapIn(partial: string, target: string): Promise<void> {
  const previous = `${target}.previous-${process.pid}`;
  await rm(previous, { recursive: true, force: true });
  const hadPrevious = await rename(target, previous).then(
    () => true,
    (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return false;
      throw err;
    },
  );
  try {
    await rename(partial, target);
  } catch (err) {
    if (hadPrevious) await rename(previous, target);
    throw err;
  }
  if (hadPrevious) await rm(previous, { recursive: true, force: true });
}

/** Writes each candidate's chips, one at a time; returns their paths relative to the output folder, by id. */
async function writeEvidence(root: string, { grid, candidates, evidence, progress }: DetectOutputs): Promise<Map<string, string[]>> {
  const paths = new Map<string, string[]>();
  if (!evidence) return paths;
  const bar = progress?.('evidence', candidates.length, 'candidates');
  for (const candidate of candidates) {
    const names = await writeCandidateEvidence(join(root, 'evidence', candidate.id), grid, candidate, evidence);
    paths.set(candidate.id, names.map((name) => `evidence/${candidate.id}/${name}`));
    bar?.tick();
  }
  bar?.done();
  return paths;
}

/** Rounds to `digits` decimals; non-finite values become null. */
function round(value: number | null, digits: number): number | null {
  if (value === null || !Number.isFinite(value)) return null;
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/**
 * The candidates as an RFC 7946 FeatureCollection in WGS84, one feature a line, with the grid's
 * CRS noted in the foreign member `crs_source`; with verdicts, each carries the overlay's too.
 */
export function candidatesGeoJson(grid: AnalysisGrid, candidates: Candidate[], evidence: Map<string, string[]>, verdicts?: Map<string, OverlayVerdict>): string {
  const crs = grid.epsg ?? grid.crs;
  const transform = toWgs84(crs);
  const features = candidates.map((candidate) => {
    const polygons = candidate.polygons.map((rings) => rings.map((ring, i) => wgs84Ring(ring, transform, i === 0)));
    const geometry = polygons.length === 1
      ? { type: 'Polygon', coordinates: polygons[0] }
      : { type: 'MultiPolygon', coordinates: polygons };
    const properties = {
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
    return JSON.stringify({ type: 'Feature', properties, geometry });
  });
  const head = `{"type":"FeatureCollection","crs_source":${JSON.stringify(typeof crs === 'number' ? `EPSG:${crs}` : crs)},"features":[`;
  return `${head}\n${features.join(',\n')}\n]}\n`;
}

/** The overlay's properties of a candidate (none when it was not judged). */
function verdictProperties(verdict: OverlayVerdict | undefined): Record<string, unknown> {
  if (!verdict) return {};
  return {
    suspect: verdict.suspect,
    violation: verdict.violation,
    decision: verdict.decision,
    permit_no: verdict.permitNo,
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
