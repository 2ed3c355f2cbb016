/**
 * Shapefile vector layers, zipped (.zip holding one .shp with its .dbf, .prj and .cpg, maybe in a
 * folder) or bare (a .shp path with the other files beside it).
 */
import { readdir, readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { unzip, type Unzipped } from 'fflate';
import { crsFromWkt, type Crs } from '../geo/crs.js';
import { BadInputError } from '../errors.js';
import { dbfIsUtf8, readDbf, type DbfEncoding } from './dbf.js';
import { encodingForCodePage } from './encoding.js';
import { groupRings } from '../geo/rings.js';
import { isPolygonType, readShp, shapeTypeName, type ShpRecord } from './shp.js';
import type { VectorFeature, VectorLayer } from './vector-layer.js';

/** The files of one Shapefile, by extension without the dot (shp, dbf, prj, cpg). */
type ShapefileParts = Partial<Record<'shp' | 'dbf' | 'prj' | 'cpg', Uint8Array>> & { shpName: string };

const partExtensions = ['shp', 'dbf', 'prj', 'cpg'] as const;

/**
 * Reads a zipped or bare Shapefile of polygons. Attribute encoding: `encoding` when given, else
 * the .cpg, else UTF-8 when the table is valid UTF-8, else GBK (Chinese exports often lack a .cpg).
 */
export async function readShapefileLayer(path: string, encoding?: string): Promise<VectorLayer> {
  const parts = path.toLowerCase().endsWith('.zip') ? await zippedParts(path) : await siblingParts(path);
  if (!parts.shp || !parts.dbf) {
    throw new BadInputError(`${path}: ${parts.shpName} has no .dbf attribute table beside it`, 'a Shapefile needs its .shp, .shx and .dbf files');
  }
  const records = readShp(parts.shp, path);
  const attributes = readDbf(parts.dbf, attributeEncoding(parts, path, encoding), path);
  if (attributes.length !== records.length) {
    throw new BadInputError(`${path}: ${records.length} shapes in the .shp but ${attributes.length} rows in the .dbf`);
  }
  const features: VectorFeature[] = [];
  records.forEach((record, i) => {
    const properties = attributes[i];
    if (properties !== null) features.push({ row: i + 1, properties, polygons: polygonsOf(record, `${path}: row ${i + 1}`) });
  });
  const crs: Crs | null = parts.prj ? prjCrs(parts.prj, path) : null;
  return { file: path, format: 'shapefile', crs, features };
}

function polygonsOf(record: ShpRecord, where: string) {
  if (record.shapeType !== 0 && !isPolygonType(record.shapeType)) {
    throw new BadInputError(`${where}: geometry is a ${shapeTypeName(record.shapeType)}, expected a polygon`);
  }
  if (record.parts.length === 0) throw new BadInputError(`${where}: geometry is empty, expected a polygon`);
  const rings = record.parts.map((ring, r) => {
    if (ring.length < 4) throw new BadInputError(`${where}: ring ${r + 1} has ${ring.length} points, a closed ring needs at least 4`);
    const [first, last] = [ring[0], ring[ring.length - 1]];
    return first[0] === last[0] && first[1] === last[1] ? ring : [...ring, first];
  });
  return groupRings(rings);
}

function attributeEncoding(parts: ShapefileParts, path: string, encoding: string | undefined): DbfEncoding {
  const cpg = parts.cpg ? new TextDecoder().decode(parts.cpg).trim() : undefined;
  const named = encoding ?? (cpg || undefined);
  const cpgName = parts.shpName.replace(/\.shp$/i, '.cpg');
  if (named !== undefined) {
    const label = encodingForCodePage(named);
    if (label === null) {
      const source = encoding !== undefined ? 'encoding' : `code page in ${cpgName}`;
      throw new BadInputError(`${path}: unknown ${source} "${named}"`, 'use UTF-8, GBK, GB18030 or a Windows code page number such as 936');
    }
    return { label, source: encoding !== undefined ? 'as --encoding says' : `as ${cpgName} says` };
  }
  if (dbfIsUtf8(parts.dbf as Uint8Array, path)) return { label: 'utf-8', source: 'as read without a .cpg' };
  return { label: 'gbk', source: 'as read without a .cpg (the table is not UTF-8)' };
}

function prjCrs(prj: Uint8Array, path: string): Crs {
  try {
    return crsFromWkt(new TextDecoder().decode(prj));
  } catch (err) {
    throw new BadInputError(`${path}: the .prj file is not a CRS proj4 can read (${(err as Error).message})`);
  }
}

/** The zip's entries, inflated on fflate's worker threads so that a service's requests keep being served. */
function inflated(zip: Uint8Array): Promise<Unzipped> {
  return new Promise((resolve, reject) => unzip(zip, (err, entries) => (err ? reject(err) : resolve(entries))));
}

async function zippedParts(path: string): Promise<ShapefileParts> {
  let entries: Record<string, Uint8Array>;
  try {
    entries = await inflated(await readFile(path));
  } catch (err) {
    throw new BadInputError(`${path}: not a readable zip file (${(err as Error).message})`);
  }
  // Skip the resource-fork copies macOS adds (__MACOSX/, ._name).
  const names = Object.keys(entries).filter((name) => !name.endsWith('/') && !name.startsWith('__MACOSX/') && !basename(name).startsWith('._'));
  const shpNames = names.filter((name) => name.toLowerCase().endsWith('.shp'));
  if (shpNames.length !== 1) {
    const found = shpNames.length === 0 ? `no .shp file (it holds: ${names.join(', ') || 'nothing'})` : `${shpNames.length} .shp files (${shpNames.join(', ')})`;
    throw new BadInputError(`${path}: expected one Shapefile in the zip, found ${found}`, 'zip one layer per file: its .shp, .shx, .dbf, .prj and .cpg');
  }
  const stem = shpNames[0].slice(0, -4).toLowerCase();
  const parts: ShapefileParts = { shpName: shpNames[0] };
  for (const extension of partExtensions) {
    const name = names.find((entry) => entry.toLowerCase() === `${stem}.${extension}`);
    if (name !== undefined) parts[extension] = entries[name];
  }
  return parts;
}

async function siblingParts(path: string): Promise<ShapefileParts> {
  const directory = dirname(path);
  const stem = basename(path).slice(0, -4).toLowerCase();
  const names = await readdir(directory);
  const parts: ShapefileParts = { shpName: basename(path) };
  for (const extension of partExtensions) {
    // Match case-insensitively: Windows tools write PLANS.SHP beside plans.dbf.
    const name = names.find((entry) => entry.toLowerCase() === `${stem}.${extension}`);
    if (name !== undefined) parts[extension] = await readFile(join(directory, name));
  }
  return parts;
}
