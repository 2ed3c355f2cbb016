/**
 * Field verdicts as training data (DESIGN.md section 7): cases verified illegal (positives, label
 * from the outline) and false positives (hard negatives, empty label) as LEVIR-CD chips like those
 * of `zhiwei synth --chips`: `A/` before, `B/` after, `label/` 0/255, PNG named
 * `case<ID>_job<JOB>.png`, with `chips.json` listing each chip and each case skipped. Everything
 * goes into a sibling folder that replaces the output folder only when complete.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BadInputError, ZhiweiError } from '../errors.js';
import { replaceFolder } from '../files.js';
import { openGeoTiff } from '../raster/geotiff-source.js';
import { writeImage } from '../raster/image-file.js';
import type { RasterSource } from '../raster/types.js';
import { cutTrainingChip, type ChipShape } from './training-chip.js';
import type { TrainingVerdict, VerdictCase } from './verdict-cases.js';

/** A case with a verdict, ready to be cut. */
export type JudgedCase = VerdictCase & { verdict: TrainingVerdict };

/** Chip shape and the model it is for (named in chips.json). */
export interface TrainingChipsOptions extends ChipShape {
  model: string;
}

/** What was written, and what was not and why. */
export interface TrainingChipsReport {
  positives: number;
  negatives: number;
  skipped: { caseId: number; jobId: number | null; reason: string }[];
}

/** The file that marks an earlier chips folder, which may be replaced. */
const marker = 'chips.json';

/**
 * Writes the chips of `cases` into `outDir`, which must be new, empty or an earlier chips folder.
 * Cases whose job's orthophotos are gone or do not cover them are skipped with a reason; when no
 * chip at all can be cut, nothing is written (BadInputError).
 */
export async function writeTrainingChips(outDir: string, cases: JudgedCase[], options: TrainingChipsOptions): Promise<TrainingChipsReport> {
  return replaceFolder(outDir, { markers: [marker], what: `earlier training chips (${marker})` }, async (partial) => {
    for (const part of ['A', 'B', 'label']) await mkdir(join(partial, part), { recursive: true });
    const chips: Record<string, unknown>[] = [];
    const report: TrainingChipsReport = { positives: 0, negatives: 0, skipped: [] };
    for (const [jobId, group] of byJob(cases, report)) {
      const orthophotos = await openOrthophotos(group[0].candidate!.spec, jobId);
      if (typeof orthophotos === 'string') {
        report.skipped.push(...group.map((c) => ({ caseId: c.id, jobId, reason: orthophotos })));
        continue;
      }
      try {
        for (const judged of group) {
          const entry = await writeCaseChip(partial, judged, orthophotos, options);
          if (typeof entry === 'string') report.skipped.push({ caseId: judged.id, jobId, reason: entry });
          else {
            chips.push(entry);
            judged.verdict === 'verified_illegal' ? report.positives++ : report.negatives++;
          }
        }
      } finally {
        await orthophotos.before.close();
        await orthophotos.after.close();
      }
    }
    if (chips.length === 0) {
      const reasons = [...new Set(report.skipped.map((s) => s.reason))];
      throw new BadInputError(`no training chips: every case was skipped (${reasons.join('; ')}); nothing written`);
    }
    const listing = {
      made_by: 'zhiwei export training-chips', model: options.model, tile_size: options.tileSize, gsd_m: options.gsd,
      positives: report.positives, hard_negatives: report.negatives, chips,
      skipped: report.skipped.map((s) => ({ case_id: s.caseId, job_id: s.jobId, reason: s.reason })),
    };
    await writeFile(join(partial, marker), `${JSON.stringify(listing, null, 2)}\n`);
    return report;
  });
}

/** The cases by the job their candidate comes from; a case without a candidate is skipped. */
function byJob(cases: JudgedCase[], report: TrainingChipsReport): Map<number, JudgedCase[]> {
  const groups = new Map<number, JudgedCase[]>();
  for (const judged of cases) {
    if (judged.candidate === null) {
      report.skipped.push({ caseId: judged.id, jobId: null, reason: 'the case has no detected outline' });
      continue;
    }
    const group = groups.get(judged.candidate.jobId) ?? [];
    group.push(judged);
    groups.set(judged.candidate.jobId, group);
  }
  return groups;
}

/** The job's before and after orthophotos, or why they cannot be read. */
async function openOrthophotos(spec: Record<string, unknown>, jobId: number): Promise<{ before: RasterSource; after: RasterSource } | string> {
  const opened: RasterSource[] = [];
  for (const [epoch, path] of [['before', spec.beforeOrtho], ['after', spec.afterOrtho]] as const) {
    if (typeof path !== 'string') {
      for (const source of opened) await source.close();
      return `job ${jobId} had no ${epoch} orthophoto`;
    }
    try {
      opened.push(await openGeoTiff(path));
    } catch (err) {
      for (const source of opened) await source.close();
      if (err instanceof ZhiweiError) return `the ${epoch} orthophoto of job ${jobId}: ${err.message}`;
      throw err;
    }
  }
  return { before: opened[0], after: opened[1] };
}

/** Cuts and writes one case's chip; returns its chips.json entry, or why it was skipped. */
async function writeCaseChip(
  root: string,
  judged: JudgedCase,
  orthophotos: { before: RasterSource; after: RasterSource },
  shape: ChipShape,
): Promise<Record<string, unknown> | string> {
  const candidate = judged.candidate!;
  const positive = judged.verdict === 'verified_illegal';
  const chip = await cutTrainingChip(orthophotos, candidate.polygons, candidate.epsg, positive, shape);
  if (typeof chip === 'string') return chip;
  const name = `case${judged.id}_job${candidate.jobId}.png`;
  await writeImage(join(root, 'A', name), chip.before);
  await writeImage(join(root, 'B', name), chip.after);
  await writeImage(join(root, 'label', name), chip.label);
  return {
    name, case_id: judged.id, state: judged.state, verdict: judged.verdict, label: positive ? 'positive' : 'hard_negative',
    job_id: candidate.jobId, candidate_id: candidate.id, crs: chip.crs,
    bounds: chip.bounds.map((v) => Math.round(v * 1000) / 1000), outline_pixels: chip.outlinePixels,
    nodata_share: Math.round(chip.nodataShare * 1000) / 1000,
  };
}
