/**
 * The kind of an uploaded layer file, told by its first bytes and checked against its name's
 * extension: a name alone never decides how a file is read.
 */
import { extname } from 'node:path';
import { BadInputError } from '../errors.js';

/** Layer files the service takes, by the extension the import reads them with. */
export type LayerFileType = '.geojson' | '.zip' | '.gpkg' | '.dxf';

const typeNames: Record<LayerFileType, string> = { '.geojson': 'GeoJSON', '.zip': 'a zip file', '.gpkg': 'a GeoPackage', '.dxf': 'an ASCII DXF drawing' };

const extensions: Record<string, LayerFileType> = { '.geojson': '.geojson', '.json': '.geojson', '.zip': '.zip', '.gpkg': '.gpkg', '.dxf': '.dxf' };

const accepted = 'send GeoJSON (.geojson), a zipped Shapefile (.zip with .shp, .shx, .dbf, .prj), GeoPackage (.gpkg) or DXF (.dxf)';

/** The file's type from its first bytes (a few kilobytes); BadInputError when they are none of them or its extension says otherwise. */
export function layerFileType(head: Buffer, fileName: string): LayerFileType {
  const sniffed = sniff(head);
  const extension = extname(fileName).toLowerCase();
  if (extension === '.shp') throw new BadInputError(`${fileName}: a .shp alone has no attributes`, 'zip the .shp with its .shx, .dbf, .prj (and .cpg) and send the zip');
  const named = extensions[extension];
  if (sniffed === null) {
    throw new BadInputError(`${fileName}: not GeoJSON, a zip file, a GeoPackage or DXF (its first bytes are ${head.subarray(0, 8).toString('hex') || 'missing'})`, accepted);
  }
  if (extension !== '' && named === undefined) throw new BadInputError(`${fileName}: cannot import "${extension}" files`, accepted);
  if (named !== undefined && named !== sniffed) throw new BadInputError(`${fileName}: named ${extension} but its bytes are ${typeNames[sniffed]}`);
  return sniffed;
}

function sniff(head: Buffer): LayerFileType | null {
  if (head.length >= 4 && head.readUInt32BE(0) === 0x504b0304) return '.zip';
  if (head.toString('latin1', 0, 16) === 'SQLite format 3\0') return '.gpkg';
  if (head.toString('latin1', 0, 18) === 'AutoCAD Binary DXF') return '.dxf';
  const text = head.toString('utf8').replace(/^\uFEFF/, '');
  if (/^\s*\{/.test(text)) return '.geojson';
  // an ASCII DXF opens with group code 0 and SECTION, or with 999 and a comment
  if (/^\s*(0\s*\r?\n\s*SECTION\b|999\s*\r?\n)/.test(text)) return '.dxf';
  return null;
}
