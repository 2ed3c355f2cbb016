/**
 * `zhiwei eval --truth truth.geojson --pred candidates.geojson`: object-level precision and recall
 * of detected changes (a match is IoU >= 0.3), per change kind, with area and height errors; and
 * for candidates judged against plans, how often the violation type is right.
 * `zhiwei eval --buildings TRUTH RESULT`: a survey's buildings against a generated scene's
 * buildings.geojson (a match is IoU >= 0.5): recall, precision, footprint IoU, roof height, floors,
 * roof form, and the violation types of the suspects.
 */
import type { Command } from 'commander';
import { crsTransform, gaussKrugerEpsgForLongitude } from '../geo/crs.js';
import { readPolygonCollection, transformPolygons, type PolygonCollection } from '../geo/geojson.js';
import { evaluateBuildings, type BuildingEvalReport, type BuildingGroupScores, type EvalBuilding } from '../eval/buildings.js';
import { evaluateObjects, type ChangeObject, type ObjectEvalReport } from '../eval/objects.js';
import { BadInputError } from '../errors.js';
import { parseNumber } from './options.js';

/** Registers `zhiwei eval`. */
export function registerEval(program: Command): void {
  program
    .command('eval')
    .description('object-level precision and recall of detected changes against truth polygons; with --buildings, of a survey\'s buildings')
    .argument('[files...]', 'with --buildings: the truth buildings.geojson (of a generated scene) and the survey\'s buildings.geojson')
    .option('--truth <file>', 'truth GeoJSON (e.g. truth.geojson of a generated scene)')
    .option('--pred <file>', 'detected changes GeoJSON (candidates.geojson or suspects.geojson)')
    .option('--buildings', 'score a survey: eval --buildings TRUTH RESULT (buildings.geojson of a generated scene and of the survey)')
    .option('--min-iou <ratio>', 'intersection over union for a match (0.3; 0.5 with --buildings)', parseNumber)
    .option('--min-area <m2>', 'score only truth changes of at least this area', parseNumber, 0)
    .option('--min-height <m>', 'score only truth changes of at least this |height change|', parseNumber, 0)
    .option('--json', 'print one JSON line instead of a table')
    .action(async (files: string[], options) => {
      if (options.buildings) {
        if (files.length !== 2 || options.truth || options.pred) throw new BadInputError('eval --buildings needs two files: the truth buildings.geojson and the survey\'s buildings.geojson');
        const report = await evaluateBuildingFiles(files[0], files[1], options.minIou ?? 0.5);
        process.stdout.write(options.json ? `${JSON.stringify(report)}\n` : formatBuildingReport(report));
        return;
      }
      if (!options.truth || !options.pred || files.length > 0) throw new BadInputError('eval needs --truth FILE and --pred FILE, or --buildings TRUTH RESULT');
      const [truth, pred] = await Promise.all([readPolygonCollection(options.truth), readPolygonCollection(options.pred)]);
      const report = evaluateObjects(changeObjects(truth, options.truth, truth), changeObjects(pred, options.pred, truth), {
        minIou: options.minIou ?? 0.3,
        minArea: options.minArea,
        minHeightChange: options.minHeight,
      });
      process.stdout.write(options.json ? `${JSON.stringify(report)}\n` : formatReport(report));
    });
}

/** The truth's projected CRS (its `crs_source`, else the local Gauss-Krüger zone), from WGS84. */
function toTruthCrs(truth: PolygonCollection) {
  const firstPosition = truth.features[0]?.polygons[0][0][0] ?? [120, 30];
  return crsTransform(4326, truth.crsSource ?? gaussKrugerEpsgForLongitude(firstPosition[0]));
}

/** Features moved into the truth's projected CRS. */
function changeObjects(collection: PolygonCollection, path: string, truth: PolygonCollection): ChangeObject[] {
  const toProjected = toTruthCrs(truth);
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

/**
 * Reads both buildings.geojson files, moves them into the truth's projected CRS and scores them.
 * A building suspect through a structure on its roof carries that structure's violation in both.
 */
async function evaluateBuildingFiles(truthPath: string, resultPath: string, minIou: number): Promise<BuildingEvalReport> {
  const [truth, result] = await Promise.all([readPolygonCollection(truthPath), readPolygonCollection(resultPath)]);
  const toProjected = toTruthCrs(truth);
  const buildings = (collection: PolygonCollection, path: string): EvalBuilding[] =>
    collection.features.map((feature, index) => {
      const p = feature.properties;
      if (typeof p.roof_height_m !== 'number') throw new BadInputError(`${path}: feature ${index + 1} has no roof_height_m number`, 'give buildings.geojson of a survey or of a generated scene');
      const text = (value: unknown) => (typeof value === 'string' ? value : null);
      return {
        polygons: transformPolygons(feature.polygons, toProjected),
        roofHeightM: p.roof_height_m,
        floors: typeof p.floors === 'number' ? p.floors : null,
        roofForm: text(p.roof_form),
        legality: text(p.legality),
        violation: text(p.violation),
        ...(typeof p.use === 'string' ? { use: p.use } : {}),
        ...(p.below_survey_thresholds === true || p.at_scene_edge === true ? { unscored: true } : {}),
      };
    });
  return evaluateBuildings(buildings(truth, truthPath), buildings(result, resultPath), minIou);
}

function formatBuildingReport(report: BuildingEvalReport): string {
  const pct = (value: number | null) => (value === null ? '-' : `${(100 * value).toFixed(1)}%`);
  const metres = (value: number | null) => (value === null ? '-' : `${value.toFixed(2)} m`);
  const lines = [
    `建筑 buildings: 真值 truth ${report.truth}, 识别 found ${report.predicted}, 匹配 matched ${report.matched} (IoU ≥ 0.5)`,
    `召回率 recall ${pct(report.recall)}  精确率 precision ${pct(report.precision)}  轮廓交并比中位数 median IoU ${report.medianIou?.toFixed(2) ?? '-'}`,
    `高度误差中位数 median height error ${metres(report.medianHeightErrorM)}  层数正确 floors right ${pct(report.floorsRight)}  屋顶形式正确 roof form right ${pct(report.roofFormRight)}`,
    '',
    `${'用途 use / 屋顶 roof'.padEnd(20)} ${'truth'.padStart(6)} ${'found'.padStart(6)} ${'recall'.padStart(7)} ${'IoU'.padStart(5)} ${'height'.padStart(7)} ${'floors'.padStart(7)}`,
  ];
  const row = (name: string, s: BuildingGroupScores) =>
    `${name.padEnd(20)} ${String(s.truth).padStart(6)} ${String(s.found).padStart(6)} ${pct(s.recall).padStart(7)} ${(s.medianIou?.toFixed(2) ?? '-').padStart(5)} ${metres(s.medianHeightErrorM).padStart(7)} ${pct(s.floorsRight).padStart(7)}`;
  for (const [use, s] of Object.entries(report.byUse)) lines.push(row(use, s));
  for (const [form, s] of Object.entries(report.byRoofForm)) lines.push(row(`${form} roof`, s));
  const counts = (record: Record<string, number>) => Object.entries(record).map(([reason, n]) => `${reason} ${n}`).join(', ');
  const missed = { merged: 0, split: 0, outline_off: 0, not_found: 0 };
  for (const s of Object.values(report.byUse)) for (const [reason, n] of Object.entries(s.missed)) missed[reason as keyof typeof missed] += n;
  lines.push('', `漏检 missed: ${counts(missed)}`, `误检 false: ${counts(report.falseBuildings)}`);
  const v = report.violations;
  if (v) {
    lines.push(
      '',
      `违法类型正确 violation type right: ${v.violationCorrect} of ${v.suspectsMatched} matched suspects (${pct(v.violationAccuracy)})`,
      `违法建筑识别为疑似 illegal buildings flagged: ${v.illegalFlagged} of ${v.illegalMatched} (${pct(v.illegalRecall)})`,
      `合法建筑被标记 legal buildings flagged: ${v.legalFlagged} of ${v.legalMatched} (${pct(v.legalFlaggedShare)})`,
    );
    for (const [pair, count] of Object.entries(v.confusions)) lines.push(`  ${count} × ${pair}`);
  }
  return `${lines.join('\n')}\n`;
}
