/**
 * The project CRS: every geometry in the database is stored in it (plans, zones, grids,
 * candidates, cases, the building register), so areas and overlaps are measured in metres without
 * transforming per query. It is fixed by the first data that arrives (a detect run's analysis grid, or the first
 * imported layer) and never changes afterwards.
 */
import type { Knex } from 'knex';
import { crsMeasure, isKnownEpsg, localMetricCrs, toWgs84, type Crs } from '../geo/crs.js';
import { spatialTables as firstTables } from './migrations/001-initial.js';
import { registerTables } from './migrations/006-buildings.js';

/** Every table with a project-CRS geometry column. */
const spatialTables = [...firstTables, ...registerTables];

/** The project CRS's EPSG code, or null while the database holds no geometry yet. */
export async function projectEpsg(knex: Knex): Promise<number | null> {
  const row = await knex('settings').where({ key: 'project_epsg' }).first();
  return row ? Number(row.value) : null;
}

/**
 * The project CRS, set to `proposed` (a projected EPSG code zhiwei knows) if none is set yet.
 * Setting it types every geometry column with the SRID, so that GIS clients (QGIS) see it.
 */
export async function ensureProjectEpsg(knex: Knex, proposed: number): Promise<number> {
  if (!isKnownEpsg(proposed)) throw new RangeError(`EPSG:${proposed} cannot be the project CRS: zhiwei has no definition for it`);
  return knex.transaction(async (trx) => {
    // lock the settings table so that two first imports cannot each set a CRS
    await trx.raw('LOCK TABLE settings IN EXCLUSIVE MODE');
    const current = await projectEpsg(trx);
    if (current !== null) return current;
    for (const table of spatialTables) {
      await trx.raw(`ALTER TABLE ?? ALTER COLUMN geom TYPE geometry(MultiPolygon, ${proposed}) USING ST_SetSRID(geom, ${proposed})`, [table]);
    }
    await trx('settings').insert({ key: 'project_epsg', value: JSON.stringify(proposed) });
    return proposed;
  });
}

/**
 * The project CRS that data in `crs` proposes: that CRS when it is an EPSG code zhiwei knows in
 * metres, otherwise the local metric CRS of `position`, a point of the data in `crs` (the CGCS2000
 * 3-degree Gauss-Krüger zone in China, else the UTM zone; never Web Mercator, whose units are not
 * metres); null when that point cannot be placed on the earth.
 */
export function proposedProjectEpsg(crs: Crs, position: [number, number]): number | null {
  if (typeof crs === 'number' && isKnownEpsg(crs) && crsMeasure(crs) === 'metres') return crs;
  const [longitude, latitude] = toWgs84(crs)(position);
  return Number.isFinite(longitude) && Number.isFinite(latitude) ? localMetricCrs(longitude, latitude).epsg : null;
}

/** [minX, minY, maxX, maxY] in the project CRS. */
export type ProjectExtent = [number, number, number, number];

/**
 * The extent of everything the project holds (plans, zones, grids, and the candidates and cases
 * of its jobs) in the project CRS, or null while it holds nothing.
 */
export async function projectExtent(knex: Knex): Promise<ProjectExtent | null> {
  const geometries = spatialTables.map((table) => `SELECT geom FROM ${table}`).join(' UNION ALL ');
  const { rows } = await knex.raw(`SELECT ST_XMin(e) AS x0, ST_YMin(e) AS y0, ST_XMax(e) AS x1, ST_YMax(e) AS y1 FROM (SELECT ST_Extent(geom) AS e FROM (${geometries}) g) u`);
  const [row] = rows;
  return row.x0 === null ? null : [Number(row.x0), Number(row.y0), Number(row.x1), Number(row.y1)];
}
