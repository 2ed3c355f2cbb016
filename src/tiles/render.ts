/**
 * Rendering of 256 × 256 Web Mercator tiles from a job's rasters: an orthophoto as RGBA, and the
 * height change between the two DSMs with the fitted vertical offset removed, coloured by the ramp
 * of `height-colours.ts`. Pixels outside the raster or at nodata are transparent.
 */
import sharp from 'sharp';
import { BadInputError } from '../errors.js';
import { TILE_SIZE, type TileAddress } from '../geo/web-mercator.js';
import { offsetAt, type VerticalOffset } from '../geo/vertical-offset.js';
import { heightChangeColour } from './height-colours.js';
import { tilePositions, type TilePositions } from './positions.js';
import { sampleTile, type TileRaster } from './sample.js';

/** Image formats of tiles. */
export const TILE_FORMATS = ['webp', 'png'] as const;
/** One tile format: WebP (lossy, quality 80, with alpha) or PNG. */
export type TileFormat = (typeof TILE_FORMATS)[number];

/** A raster with its name, for messages. */
export type NamedTileRaster = TileRaster & { readonly name: string };

/** What a height-change tile is drawn from. */
export interface HeightChangeInputs {
  before: NamedTileRaster;
  after: NamedTileRaster;
  /** The offset plane the detect run fitted (after − before on stable ground), in `offsetCrs` map coordinates. */
  offset: VerticalOffset;
  /** CRS of the run's analysis grid, where the plane was fitted. */
  offsetCrs: string;
  /**
   * The run's co-registration shift (m): added to a position on the after epoch it finds the same
   * ground on the before one. It is applied along the before DSM's own map axes, which differ from
   * the grid's by a rotation of a degree or two at most: under 3 cm for a shift under a metre.
   */
  shift: { dx: number; dy: number };
}

/** RGBA pixels of an orthophoto tile; null when the tile shows none of it. */
export async function renderOrthophoto(raster: NamedTileRaster, tile: TileAddress): Promise<Uint8Array | null> {
  const { bandCount, sampleType } = raster.info;
  if (sampleType !== 'uint8' || (bandCount !== 3 && bandCount !== 4)) {
    throw new BadInputError(`${raster.name} has ${bandCount} band(s) of ${sampleType}; orthophoto tiles are drawn from RGB or RGBA uint8`);
  }
  const samples = await sampleTile(raster, tilePositions(tile, crsOf(raster)), bandCount === 4 ? [0, 1, 2, 3] : [0, 1, 2]);
  if (!samples) return null;
  const rgba = new Uint8Array(TILE_SIZE * TILE_SIZE * 4);
  const { values, valid } = samples;
  for (let k = 0; k < valid.length; k++) {
    if (!valid[k]) continue;
    const from = k * bandCount;
    for (let c = 0; c < 3; c++) rgba[k * 4 + c] = clampByte(values[from + c]);
    rgba[k * 4 + 3] = bandCount === 4 ? clampByte(values[from + 3]) : 255;
  }
  return rgba;
}

/** RGBA pixels of a height-change tile (after − before − offset); null when the DSMs have no data in common on it. */
export async function renderHeightChange(inputs: HeightChangeInputs, tile: TileAddress): Promise<Uint8Array | null> {
  const { before, after, offset, offsetCrs, shift } = inputs;
  const positions = new Map<string, TilePositions>();
  const positionsIn = (crs: string) => {
    if (!positions.has(crs)) positions.set(crs, tilePositions(tile, crs));
    return positions.get(crs)!;
  };
  const afterHeights = await sampleTile(after, positionsIn(crsOf(after)), [0]);
  if (!afterHeights) return null;
  const beforeHeights = await sampleTile(before, shifted(positionsIn(crsOf(before)), shift), [0]);
  if (!beforeHeights) return null;
  const plane = positionsIn(offsetCrs);
  const rgba = new Uint8Array(TILE_SIZE * TILE_SIZE * 4);
  let drawn = 0;
  for (let k = 0; k < TILE_SIZE * TILE_SIZE; k++) {
    if (!afterHeights.valid[k] || !beforeHeights.valid[k]) continue;
    const dh = afterHeights.values[k] - beforeHeights.values[k] - offsetAt(offset, plane.x[k], plane.y[k]);
    heightChangeColour(dh, rgba, k * 4);
    drawn++;
  }
  return drawn === 0 ? null : rgba;
}

/** Encodes RGBA tile pixels. */
export async function encodeTile(rgba: Uint8Array, format: TileFormat): Promise<Buffer> {
  const image = sharp(Buffer.from(rgba.buffer, rgba.byteOffset, rgba.byteLength), { raw: { width: TILE_SIZE, height: TILE_SIZE, channels: 4 } });
  return format === 'webp' ? image.webp({ quality: 80 }).toBuffer() : image.png().toBuffer();
}

function crsOf(raster: NamedTileRaster): string {
  if (raster.info.proj4 === null) throw new BadInputError(`${raster.name} has an unknown CRS: its tiles cannot be placed on the map`);
  return raster.info.proj4;
}

function shifted(positions: TilePositions, { dx, dy }: { dx: number; dy: number }): TilePositions {
  if (dx === 0 && dy === 0) return positions;
  return { x: positions.x.map((x) => x + dx), y: positions.y.map((y) => y + dy) };
}

function clampByte(v: number): number {
  return v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v);
}
