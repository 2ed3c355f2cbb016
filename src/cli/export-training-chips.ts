/**
 * `zhiwei export training-chips --out DIR`: the selected cases verified illegal (positives) and
 * false positives (hard negatives) as LEVIR-CD chips from their detect jobs' orthophotos, at the
 * shipped model's chip size and GSD, for `training/train.py --init` and `zhiwei eval-cd DIR`.
 */
import { join } from 'node:path';
import { BadInputError } from '../errors.js';
import { describeSelection, readCases, refuseIncomplete, type CaseSelection } from '../export/read-cases.js';
import { writeTrainingChips, type JudgedCase, type TrainingChipsReport } from '../export/training-chips.js';
import { readVerdictCases } from '../export/verdict-cases.js';
import { readManifest } from '../model/manifest.js';
import { modelsDir } from '../model/onnx-change-model.js';
import { withDatabase } from './database.js';

/** The model whose chip size and GSD the chips take. */
const chipModel = 'zhiwei-cd-v1';

/** Writes the training chips of the selected cases into the folder `out` and prints the counts. */
export async function exportTrainingChips(out: string, selection: CaseSelection): Promise<void> {
  const manifest = await readManifest(join(modelsDir, `${chipModel}.json`));
  const cases = await withDatabase(async (db) => {
    const records = await readCases(db.knex, selection);
    refuseIncomplete(records.map((r) => r.id), selection);
    return readVerdictCases(db.knex, records.map((r) => r.id), selection.jobId);
  });
  const unjudged = cases.filter((c) => c.verdict === null);
  if (selection.ids && unjudged.length > 0) {
    const list = unjudged.map((c) => `${c.id} (${c.state})`).join(', ');
    throw new BadInputError(`case${unjudged.length === 1 ? '' : 's'} ${list} not verified illegal or false positive; nothing written`, 'only field verdicts become training chips');
  }
  const judged = cases.filter((c): c is JudgedCase => c.verdict !== null);
  if (judged.length === 0) {
    throw new BadInputError(
      `no cases verified illegal or false positive ${describeSelection(selection, true) || 'in the database'}; nothing written`,
      'training chips come from field verdicts: cases moved to verified_illegal or false_positive',
    );
  }
  const report = await writeTrainingChips(out, judged, { tileSize: manifest.tile_size, gsd: manifest.gsd_m, model: manifest.name });
  process.stdout.write(formatReport(report, out));
}

function formatReport({ positives, negatives, skipped }: TrainingChipsReport, out: string): string {
  const chips = positives + negatives;
  const lines = [`${chips} training chip${chips === 1 ? '' : 's'} written to ${out}: ${positives} positive, ${negatives} hard negative, ${skipped.length} case${skipped.length === 1 ? '' : 's'} skipped`];
  for (const s of skipped) lines.push(`  skipped case ${s.caseId}${s.jobId === null ? '' : ` (job ${s.jobId})`}: ${s.reason}`);
  return `${lines.join('\n')}\n`;
}
