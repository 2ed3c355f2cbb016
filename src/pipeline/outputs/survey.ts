/**
 * The output folder of `zhiwei survey`: `buildings.geojson` (every building with its measurements
 * and, once judged against plans, its legality and register id), `rooftop-structures.geojson`
 * (each linked to its building), `suspects.geojson` with its QGIS style `suspects.qml` (the
 * buildings and rooftop structures judged suspects), `results.gpkg` (the same layers, in the project
 * CRS when judged) and `summary.json`. The run writes them into a fresh folder that it swaps in whole.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ReplaceableFolder } from '../../files.js';
import { writeGeoPackage } from '../../geo/geopackage.js';
import type { AnalysisGrid } from '../../raster/types.js';
import type { OverlayVerdict } from '../overlay/index.js';
import type { RegisterEntry } from '../overlay/survey.js';
import type { Building, RooftopStructure } from '../survey/building.js';
import { featureCollection, geoPackageLayer, round, verdictProperties, type PolygonFeature } from './index.js';
import { suspectsStyle } from './qgis-style.js';

/** An output folder of `zhiwei survey` may replace an earlier one, which holds one of these. */
export const surveyOutputFolder: ReplaceableFolder = { markers: ['summary.json', 'buildings.geojson'], what: 'an earlier survey output' };

/** The overlay's word on the survey's features. */
export interface SurveyJudgement {
  /** By building and rooftop structure id; `buildingId` is the register building (a structure's: the one it stands on). */
  verdicts: Map<string, OverlayVerdict>;
  /** Each building as the register holds it, by building id: a building suspect through a rooftop structure carries its violation. */
  register: Map<string, RegisterEntry>;
  /** The project CRS the buildings were stored in: `results.gpkg` is in it. */
  projectEpsg: number;
  /** What to add to the summary (job id, suspects, cases, register counts). */
  summary: Record<string, unknown>;
}

/** What a survey run writes. */
export interface SurveyResults {
  grid: AnalysisGrid;
  buildings: Building[];
  judgement?: SurveyJudgement;
  /** The run's summary (mode, grid, thresholds, rejections, timings...); `building_totals` is added. */
  summary: Record<string, unknown>;
}

/**
 * Writes the survey's layers as GeoJSON (WGS84), `suspects.geojson` and `suspects.qml` when
 * judged, `results.gpkg` (in the project CRS when judged, else the grid's when it has an EPSG
 * code) and `summary.json` into `folder`.
 */
export async function writeSurveyResults(folder: string, { grid, buildings, judgement, summary }: SurveyResults): Promise<void> {
  const structures = buildings.flatMap((building) => building.rooftopStructures.map((structure) => ({ building, structure })));
  const layers: [string, PolygonFeature[]][] = [
    ['buildings', buildings.map((building) => buildingFeature(building, judgement))],
    ['rooftop_structures', structures.map(({ building, structure }) => structureFeature(building, structure, judgement))],
  ];
  await writeFile(join(folder, 'buildings.geojson'), featureCollection(grid, layers[0][1]));
  await writeFile(join(folder, 'rooftop-structures.geojson'), featureCollection(grid, layers[1][1]));
  if (judgement) {
    const suspects = [
      ...buildings.filter((b) => judgement.verdicts.get(b.id)?.suspect).map((b) => suspectFeature(b, null, judgement)),
      ...structures.filter(({ structure }) => judgement.verdicts.get(structure.id)?.suspect).map(({ building, structure }) => suspectFeature(building, structure, judgement)),
    ];
    layers.push(['suspects', suspects]);
    await writeFile(join(folder, 'suspects.geojson'), featureCollection(grid, suspects));
    await writeFile(join(folder, 'suspects.qml'), suspectsStyle());
  }
  const epsg = judgement?.projectEpsg ?? grid.epsg;
  if (epsg !== null) await writeGeoPackage(join(folder, 'results.gpkg'), layers.map(([name, features]) => geoPackageLayer(grid, epsg, name, features)));
  const full = { ...summary, building_totals: buildingTotals(buildings) };
  await writeFile(join(folder, 'summary.json'), `${JSON.stringify(full, null, 2)}\n`);
}

/**
 * A building's measurements, and once judged its legality and verdict as the register has them (a
 * building legal itself with a suspect structure on its roof is a suspect, of that structure's
 * violation, priority and case, the decision saying so; its permit stays its own) and register id.
 */
function buildingFeature(building: Building, judgement: SurveyJudgement | undefined): PolygonFeature {
  const entry = judgement?.register.get(building.id);
  const through = entry?.throughStructure ? judgement!.verdicts.get(entry.throughStructure)! : null;
  const verdict = through ?? judgement?.verdicts.get(building.id);
  return {
    polygons: building.polygons,
    properties: {
      id: building.id,
      area_m2: round(building.areaM2, 1),
      roof_height_m: round(building.roofHeightM, 2),
      roof_height_max_m: round(building.roofHeightMaxM, 2),
      floors: building.floors,
      roof_form: building.roofForm,
      rooftop_structures: building.rooftopStructures.length,
      ...(entry && {
        legality: entry.legality,
        ...judged(verdict!),
        ...(through && { decision: `rooftop structure ${entry.throughStructure}: ${through.decision}`, permit_no: entry.permitNo }),
        building_id: entry.buildingId,
      }),
    },
  };
}

/** A rooftop structure's measurements and the building it stands on, and once judged its verdict. */
function structureFeature(building: Building, structure: RooftopStructure, judgement: SurveyJudgement | undefined): PolygonFeature {
  const verdict = judgement?.verdicts.get(structure.id);
  return {
    polygons: structure.polygons,
    properties: {
      id: structure.id,
      building: building.id,
      area_m2: round(structure.areaM2, 1),
      height_above_roof_m: round(structure.heightAboveRoofM, 2),
      height_m: round(structure.heightM, 2),
      ...(verdict && judged(verdict)),
    },
  };
}

/** A suspect building (`structure` null) or rooftop structure, as a case sees it: its kind, size, height and verdict. */
function suspectFeature(building: Building, structure: RooftopStructure | null, judgement: SurveyJudgement): PolygonFeature {
  const id = structure?.id ?? building.id;
  return {
    polygons: structure?.polygons ?? building.polygons,
    properties: {
      id,
      change_kind: structure ? 'rooftop_addition' : 'new_building',
      building: building.id,
      area_m2: round(structure?.areaM2 ?? building.areaM2, 1),
      height_m: round(structure?.heightM ?? building.roofHeightM, 2),
      height_above_roof_m: structure ? round(structure.heightAboveRoofM, 2) : null,
      floors: structure ? null : building.floors,
      ...judged(judgement.verdicts.get(id)!),
    },
  };
}

/** The overlay's properties of a judged feature, and its register building. */
function judged(verdict: OverlayVerdict): Record<string, unknown> {
  return { ...verdictProperties(verdict), building_id: verdict.buildingId };
}

/** Counts and total area of the buildings, by roof form and floors, and their rooftop structures. */
function buildingTotals(buildings: Building[]): Record<string, unknown> {
  const byRoofForm: Record<string, number> = { flat: 0, pitched: 0 };
  const byFloors: Record<string, number> = {};
  let area = 0;
  for (const building of buildings) {
    byRoofForm[building.roofForm]++;
    byFloors[building.floors] = (byFloors[building.floors] ?? 0) + 1;
    area += building.areaM2;
  }
  const rooftopStructures = buildings.reduce((sum, b) => sum + b.rooftopStructures.length, 0);
  return { count: buildings.length, area_m2: round(area, 1), by_roof_form: byRoofForm, by_floors: byFloors, rooftop_structures: rooftopStructures };
}
