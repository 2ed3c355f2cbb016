/**
 * A small DSM for survey tests: 40 m × 40 m at 0.4 m in EPSG:4549 at the fixture scene's south-west
 * corner (so the fixture's plans and grids lie over it), ground at 11 m, and two flat-roofed
 * buildings: a two-storey one (6.5 m) with a 3 m × 4 m stair room 3 m above its roof, and a
 * three-storey one (9.5 m); and an orthophoto of it.
 */
import { join } from 'node:path';
import { writeGeoTiff } from '../raster/geotiff-writer.js';

/** The fixture scene's south-west corner (EPSG:4549 metres), the DSM's too. */
export const surveyCorner: [number, number] = [496594, 3349828];
const [x0, y0] = surveyCorner;
const gsd = 0.4;
const size = 100;
const groundM = 11;

/** Boxes in metres from the corner (x0, y0, x1, y1) and their height above ground. */
export const surveyBoxes: { box: [number, number, number, number]; heightM: number }[] = [
  { box: [4, 4, 16, 14], heightM: 6.5 },
  { box: [9, 7, 12, 11], heightM: 9.5 },
  { box: [24, 22, 34, 34], heightM: 9.5 },
];

/** Writes the DSM into `dir`; returns its path. */
export async function writeSurveyDsm(dir: string): Promise<string> {
  const data = new Float32Array(size * size).fill(groundM);
  for (let row = 0; row < size; row++) {
    for (let column = 0; column < size; column++) {
      const [x, y] = [(column + 0.5) * gsd, (size - row - 0.5) * gsd];
      for (const { box, heightM } of surveyBoxes) {
        if (x >= box[0] && x < box[2] && y >= box[1] && y < box[3]) data[row * size + column] = groundM + heightM;
      }
    }
  }
  const path = join(dir, 'survey-dsm.tif');
  const info = { width: size, height: size, bandCount: 1, sampleType: 'float32' as const, epsg: 4549, geoTransform: [x0, gsd, 0, y0 + size * gsd, 0, -gsd] as [number, number, number, number, number, number], nodata: -9999 };
  await writeGeoTiff(path, info, { width: size, height: size, bandCount: 1, data });
  return path;
}

/** Writes an orthophoto of the DSM's extent into `dir` (0.1 m, grey roofs on bare brown ground); returns its path. */
export async function writeSurveyOrtho(dir: string): Promise<string> {
  const orthoGsd = 0.1;
  const side = (size * gsd) / orthoGsd;
  const data = new Uint8Array(side * side * 3);
  for (let row = 0; row < side; row++) {
    for (let column = 0; column < side; column++) {
      const [x, y] = [(column + 0.5) * orthoGsd, (side - row - 0.5) * orthoGsd];
      const roof = surveyBoxes.some(({ box }) => x >= box[0] && x < box[2] && y >= box[1] && y < box[3]);
      data.set(roof ? [150, 150, 155] : [140, 115, 90], (row * side + column) * 3);
    }
  }
  const path = join(dir, 'survey-ortho.tif');
  const info = { width: side, height: side, bandCount: 3, sampleType: 'uint8' as const, epsg: 4549, geoTransform: [x0, orthoGsd, 0, y0 + size * gsd, 0, -orthoGsd] as [number, number, number, number, number, number], nodata: null };
  await writeGeoTiff(path, info, { width: side, height: side, bandCount: 3, data });
  return path;
}

