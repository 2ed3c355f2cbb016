/**
 * `zhiwei plans import`, `zhiwei zones import`, `zhiwei grids import`: the reference layers from
 * GeoJSON, zipped Shapefile or DXF into the database, in the project CRS.
 */
import type { Command } from 'commander';
import { importLayer, type ImportOptions, type ImportReport } from '../plans/import.js';
import type { LayerName } from '../db/layers.js';
import { readDxfMapping } from '../plans/dxf-mapping.js';
import { withDatabase } from './database.js';

const descriptions: Record<LayerName, string> = {
  plans: 'approved plans (规划许可): permit_no, kind, permitted_height_m or permitted_floors, valid_from, valid_to',
  zones: 'zones: zone_id, kind (priority, historic, exempt...), priority weight, optional per-zone thresholds',
  grids: 'responsibility grids (网格): grid_id, street, community, officer',
};

/** Registers `plans`, `zones` and `grids`, each with its `import` subcommand. */
export function registerLayers(program: Command): void {
  for (const layer of ['plans', 'zones', 'grids'] as const) {
    program
      .command(layer)
      .description(descriptions[layer])
      .command('import')
      .description(`import ${layer} from GeoJSON, a zipped Shapefile (.zip), GeoPackage or DXF; rows as stored are left alone, so the same file again changes nothing`)
      .argument('<file>', '.geojson/.json, .zip (Shapefile with .prj), .shp, .gpkg or .dxf')
      .option('--crs <crs>', 'CRS of a file that does not say (DXF): EPSG:4549 or a proj string')
      .option('--mapping <file>', 'DXF attribute mapping (JSON): layers and text patterns, see the README')
      .option('--encoding <name>', 'attribute encoding of a Shapefile without .cpg (default: UTF-8 if valid, else GBK)')
      .option('--layer <name>', 'the GeoPackage table to read, when it holds several')
      .option('--allow-move', 'accept stored outlines moving more than 1 km, and a layer more than 50 km from what the project holds')
      .action(async (file: string, flags: { crs?: string; mapping?: string; encoding?: string; layer?: string; allowMove?: boolean }) => {
        const options: ImportOptions = {
          ...(flags.crs ? { crs: flags.crs } : {}),
          ...(flags.mapping ? { dxfMapping: await readDxfMapping(flags.mapping) } : {}),
          ...(flags.encoding ? { encoding: flags.encoding } : {}),
          ...(flags.layer ? { layer: flags.layer } : {}),
          ...(flags.allowMove ? { allowMove: true } : {}),
        };
        const report = await withDatabase((db) => importLayer(db, layer, file, options));
        process.stdout.write(formatImport(report));
      });
  }
}

/** One line of what an import did, then one per repaired geometry. */
export function formatImport(report: ImportReport): string {
  if (report.status === 'unchanged') return `${report.file}: all ${report.features} ${report.layer} as stored; nothing changed\n`;
  const unchanged = report.features - report.inserted - report.updated;
  const lines = [
    `${report.file}: ${report.features} ${report.layer} imported (${report.inserted} new, ${report.updated} updated${unchanged > 0 ? `, ${unchanged} as stored` : ''}), project CRS EPSG:${report.projectEpsg}`,
  ];
  if (report.repairs.length > 0) lines.push(`  ${report.repairs.length} invalid geometries repaired:`);
  for (const r of report.repairs) {
    lines.push(`  row ${r.row} (${r.key}): ${r.reason}; area ${r.areaBeforeM2.toFixed(1)} → ${r.areaAfterM2.toFixed(1)} m²`);
  }
  return `${lines.join('\n')}\n`;
}
