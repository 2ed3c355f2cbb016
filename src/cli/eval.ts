/**
 * `zhiwei eval --truth truth.geojson --pred candidates.geojson`: object-level precision and recall
 * of detected changes (a match is IoU >= 0.3), per change kind, with area and height errors; and
 * for candidates judged against plans, how often the violation type is right.
 */
import type { Command } from 'commander';
import { crsTransform, gaussKrugerEpsgForLongitude } from '../geo/crs.js';
import { readPolygonCollection, transformPolygons, type PolygonCollection } from '../geo/geojson.js';
import { evaluateObjects, type ChangeObject, type ObjectEvalReport } from '../eval/objects.js';
import { BadInputError } from '../errors.js';
import { parseNumber } from './options.js';

/** Registers `zhiwei eval`. */
export function registerEval(program: Command): void {
  program
    .command('eval')
    .description('object-level precision and recall of detected changes against truth polygons')
    .requiredOption('--truth <file>', 'truth GeoJSON (e.g. truth.geojson of a generated scene)')
    .requiredOption('--pred <file>', 'detected changes GeoJSON (candidates.geojson or suspects.geojson)')
    .option('--min-iou <ratio>', 'intersection over union for a match', parseNumber, 0.3)
    .option('--min-area <m2>', 'score only truth changes of at least this area', parseNumber, 0)
    .option('--min-height <m>', 'score only truth changes of at least this |height change|', parseNumber, 0)
    .option('--json', 'print one JSON line instead of a table')
    .action(async (options) => {
      const [truth, pred] = await Promise.all([readPolygonCollection(options.truth), readPolygonCollection(options.pred)]);
      const report = evaluateObjects(changeObjects(truth, options.truth, truth), changeObjects(pred, options.pred, truth), {
        minIou: options.minIou,
        minArea: options.minArea,
        minHeightChange: options.minHeight,
      });
      process.stdout.write(options.json ? `${JSON.stringify(report)}\n` : formatReport(report));
    });
}

/** Features moved into the truth's projected CRS (its `crs_source`, else the local Gauss-Krüger zone). */
function changeObjects(collection: PolygonCollection, path: string, truth: PolygonCollection): ChangeObject[] {
  const firstPosition = truth.features[0]?.polygons[0][0][0] ?? [120, 30];
  const projected = truth.crsSource ?? gaussKrugerEpsgForLongitude(firstPosition[0]);
  const toProjected = crsTransform(4326, projected);
  return collection.features.map((feature, index) => {
    const { change_kind: changeKind, height_change_m: heightChange, violation, suspect } = feature.properties;
    if (typeof changeKind !== 'string') throw new BadInputError(`${path}: feature ${index} has no change_kind property`);
    return {
      polygons: transformPolygons(feature.polygons, toProjected),
      changeKind,
      heightChange: typeof heightChange === 'number' ? heightChange : null,
      ...(typeof violation === 'string' ? { violation } : {}),
      ...(typeof suspect === 'boolean' ? { suspect } : {}),
    };
  });
}

function formatReport(report: ObjectEvalReport): string {
  const pct = (value: number | null) => (value === null ? '   -  ' : `${(100 * value).toFixed(1).padStart(5)}%`);
  const lines = [
    `truth ${report.truth}, predicted ${report.predicted}, matched ${report.matched}`,
    `precision ${pct(report.precision)}  recall ${pct(report.recall)}  F1 ${pct(report.f1)}  kind accuracy ${pct(report.kindAccuracy)}`,
    `median area error ${pct(report.medianAreaError)}  median height error ${report.medianHeightErrorM?.toFixed(2) ?? '-'} m`,
    '',
    `${'change kind'.padEnd(18)} ${'truth'.padStart(6)} ${'found'.padStart(6)} ${'recall'.padStart(7)} ${'pred'.padStart(6)} ${'precision'.padStart(9)}`,
  ];
  for (const [kind, s] of Object.entries(report.byKind)) {
    lines.push(
      `${kind.padEnd(18)} ${String(s.truth).padStart(6)} ${String(s.truthFound).padStart(6)} ${pct(s.recall).padStart(7)} ${String(s.predicted).padStart(6)} ${pct(s.precision).padStart(9)}`,
    );
  }
  const v = report.violations;
  if (v) {
    lines.push(
      '',
      `violation type right for ${v.violationCorrect} of ${v.suspectsMatched} matched suspects (${pct(v.violationAccuracy).trim()})`,
      `truth violations found as suspects: ${v.truthViolationsFound} of ${v.truthViolations} (${pct(v.violationRecall).trim()})`,
      `permitted new buildings flagged: ${v.permittedNewFlagged} of ${v.permittedNew} (${pct(v.permittedNewFlaggedShare).trim()})`,
    );
    for (const [pair, count] of Object.entries(v.confusions)) lines.push(`  ${count} × ${pair}`);
  }
  return `${lines.join('\n')}\n`;
}
