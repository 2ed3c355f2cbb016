/**
 * Training chips from a generated scene, in the LEVIR-CD layout the model tools read: `A/`
 * (before), `B/` (after) and `label/` (0/255 change mask rasterised from truth.geojson), PNG tiles
 * of the model's size at the model's ground sample distance. `kind/` holds the same mask by change
 * kind (`changeKindCode`), for recall by kind in `zhiwei eval-cd`; training ignores it.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { crsTransform } from '../geo/crs.js';
import { parsePolygonCollection, transformPolygons } from '../geo/geojson.js';
import { burnPolygons } from '../geo/rasterize.js';
import { CHANGE_KINDS } from '../vocabulary.js';
import { openGeoTiff } from '../raster/geotiff-source.js';
import { writeImage } from '../raster/image-file.js';
import type { GeoTransform } from '../geo/geotransform.js';

/** Pixel value of each change kind in `kind/` chips: 1 + its index in CHANGE_KINDS; 0 is no change. */
export const changeKindCode = (kind: string): number => CHANGE_KINDS.indexOf(kind as (typeof CHANGE_KINDS)[number]) + 1;

/** Where and how to cut chips. */
export interface ChipOptions {
  /** A folder written by `generateScene`. */
  sceneDir: string;
  outDir: string;
  /** Prefix of the chip names, e.g. `s17` → `s17_r0_c3.png`. */
  prefix: string;
  /** Chip ground sample distance (m). */
  gsd: number;
  /** Chip edge (px). */
  tileSize: number;
}

/** Cuts the scene into non-overlapping chips; returns their count and how many show change. */
export async function writeChips(options: ChipOptions): Promise<{ chips: number; withChange: number }> {
  const { sceneDir, outDir, prefix, gsd, tileSize } = options;
  const before = await openGeoTiff(join(sceneDir, 'before', 'ortho.tif'));
  const after = await openGeoTiff(join(sceneDir, 'after', 'ortho.tif'));
  try {
    const truth = parsePolygonCollection(JSON.parse(await readFile(join(sceneDir, 'truth.geojson'), 'utf8')), 'truth.geojson');
    const crs = after.info.epsg ?? after.info.proj4!;
    const changes = truth.features.map((feature) => {
      const code = changeKindCode(String(feature.properties.change_kind));
      if (code === 0) throw new Error(`${sceneDir}: truth.geojson change ${String(feature.properties.id)} has no known change_kind`);
      return { code, polygons: transformPolygons(feature.polygons, crsTransform(4326, crs)) };
    });
    for (const part of ['A', 'B', 'label', 'kind']) await mkdir(join(outDir, part), { recursive: true });

    if (before.info.geoTransform.join() !== after.info.geoTransform.join()) {
      throw new Error(`${sceneDir}: chips need both orthophotos on one pixel grid`);
    }
    const [originX, pixelWidth, , originY, , pixelHeight] = after.info.geoTransform;
    const sourcePixels = Math.round((tileSize * gsd) / pixelWidth); // chip edge in orthophoto pixels
    const rows = Math.floor(after.info.height / sourcePixels);
    const columns = Math.floor(after.info.width / sourcePixels);
    let withChange = 0;
    for (let row = 0; row < rows; row++) {
      for (let column = 0; column < columns; column++) {
        const window = { x: column * sourcePixels, y: row * sourcePixels, width: sourcePixels, height: sourcePixels };
        const read = { outWidth: tileSize, outHeight: tileSize, resample: 'bilinear' as const, bands: [0, 1, 2] };
        const chipTransform: GeoTransform = [originX + window.x * pixelWidth, gsd, 0, originY + window.y * pixelHeight, 0, -gsd];
        const kind = new Uint8Array(tileSize * tileSize);
        for (const { code, polygons } of changes) burnPolygons(kind, tileSize, tileSize, chipTransform, polygons, code);
        const label = kind.map((code) => (code ? 255 : 0));
        if (label.some((v) => v)) withChange++;
        const name = `${prefix}_r${row}_c${column}.png`;
        await writeImage(join(outDir, 'A', name), await before.readWindow(window, read));
        await writeImage(join(outDir, 'B', name), await after.readWindow(window, read));
        await writeImage(join(outDir, 'label', name), { width: tileSize, height: tileSize, bandCount: 1, data: label });
        await writeImage(join(outDir, 'kind', name), { width: tileSize, height: tileSize, bandCount: 1, data: kind });
      }
    }
    return { chips: rows * columns, withChange };
  } finally {
    await before.close();
    await after.close();
  }
}
