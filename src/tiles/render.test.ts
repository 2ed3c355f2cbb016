import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { crsTransform, proj4Definition, toWgs84 } from '../geo/crs.js';
import { lonLatToMercator, lonLatToTile, tileBounds, type TileAddress } from '../geo/web-mercator.js';
import { openGeoTiff } from '../raster/geotiff-source.js';
import { memorySource } from '../raster/memory-source.js';
import type { RasterInfo, RasterSource } from '../raster/types.js';
import { tilePositions } from './positions.js';
import { encodeTile, renderHeightChange, renderOrthophoto, type HeightChangeInputs, type NamedTileRaster } from './render.js';

const scene = fileURLToPath(new URL('../../fixtures/scene/', import.meta.url));
const gk = proj4Definition(4549);
const origin = [499900, 3350100] as const;

/** A raster read at full resolution whatever the zoom (the pyramid has its own tests). */
function tileRaster(source: RasterSource): NamedTileRaster {
  return { name: source.name, info: source.info, levelFor: async () => source };
}

function info(width: number, bandCount: number, sampleType: 'uint8' | 'float32', gsd: number, nodata: number | null = null): RasterInfo {
  return { width, height: width, bandCount, sampleType, epsg: 4549, proj4: gk, geoTransform: [origin[0], gsd, 0, origin[1], 0, -gsd], nodata };
}

/**
 * 500 px at 0.5 m in EPSG:4549 (a size no large power of two divides), blocks of 32 px coloured by
 * their place: (16 bx + 8, 16 by + 8, 100), alpha 0 in the south half when RGBA.
 */
function blocks(bandCount: 3 | 4): RasterSource {
  const size = 500;
  const data = new Uint8Array(size * size * bandCount);
  for (let row = 0; row < size; row++) {
    for (let column = 0; column < size; column++) {
      const colour = [16 * (column >> 5) + 8, 16 * (row >> 5) + 8, 100, row < 250 ? 255 : 0];
      data.set(colour.slice(0, bandCount), (row * size + column) * bandCount);
    }
  }
  return memorySource(info(size, bandCount, 'uint8', 0.5), { width: size, height: size, bandCount, data }, 'blocks');
}

/** The tile at zoom z holding a map point of EPSG:4549, and the tile pixel it falls in. */
function tilePixel(point: [number, number], z: number, crs = 4549): { tile: TileAddress; offset: number } {
  const [lon, lat] = toWgs84(crs)(point);
  const tile = lonLatToTile(lon, lat, z);
  const [minX, minY, maxX, maxY] = tileBounds(tile);
  const [mx, my] = lonLatToMercator([lon, lat]);
  const column = Math.floor(((mx - minX) / (maxX - minX)) * 256);
  const row = Math.floor(((maxY - my) / (maxY - minY)) * 256);
  return { tile, offset: (row * 256 + column) * 4 };
}

describe('tile positions', () => {
  it('interpolates the 17 × 17 lattice to within a hundredth of a pixel of proj4 at every pixel checked', () => {
    for (const [z, pixelM] of [[19, 0.26], [14, 8.3]] as const) {
      const { tile } = tilePixel([500000, 3350000], z);
      const positions = tilePositions(tile, gk);
      const exact = crsTransform(3857, 4549);
      const [minX, , maxX, maxY] = tileBounds(tile);
      const size = (maxX - minX) / 256;
      let worst = 0;
      for (let k = 0; k < 256 * 256; k += 97) {
        const [x, y] = exact([minX + ((k % 256) + 0.5) * size, maxY - (Math.floor(k / 256) + 0.5) * size]);
        worst = Math.max(worst, Math.hypot(positions.x[k] - x, positions.y[k] - y));
      }
      expect(worst).toBeLessThan(pixelM / 100);
    }
  });
});

describe('orthophoto tiles', () => {
  it('puts each block of a Gauss-Krüger raster at its place on the Web Mercator map', async () => {
    const raster = tileRaster(blocks(3));
    for (const [bx, by] of [[0, 0], [3, 7], [12, 2], [15, 14]]) {
      const centre: [number, number] = [origin[0] + (bx * 32 + 16) * 0.5, origin[1] - (by * 32 + 16) * 0.5];
      const { tile, offset } = tilePixel(centre, 19);
      const rgba = (await renderOrthophoto(raster, tile))!;
      expect([...rgba.subarray(offset, offset + 4)]).toEqual([16 * bx + 8, 16 * by + 8, 100, 255]);
    }
  });

  it('is transparent outside the raster and where its alpha is 0, and draws nothing for a tile beside it', async () => {
    const raster = tileRaster(blocks(4));
    const west = tilePixel([origin[0] - 3, origin[1] - 20], 19);
    const inside = tilePixel([origin[0] + 3, origin[1] - 20], 19);
    expect(west.tile).toEqual(inside.tile);
    const rgba = (await renderOrthophoto(raster, west.tile))!;
    expect(rgba[west.offset + 3]).toBe(0);
    expect(rgba[inside.offset + 3]).toBe(255);
    const south = tilePixel([origin[0] + 100, origin[1] - 200], 19);
    expect((await renderOrthophoto(raster, south.tile))![south.offset + 3]).toBe(0);
    const beside = tilePixel([origin[0] - 500, origin[1] - 100], 19);
    expect(await renderOrthophoto(raster, beside.tile)).toBeNull();
  });

  it('keeps the colours at the edge of a raster read reduced, never blending them with what lies past it', async () => {
    // every block's blue is 100: any blend with the fill past the edge would lower it
    for (const z of [14, 15, 16]) {
      const rgba = (await renderOrthophoto(tileRaster(blocks(3)), tilePixel([origin[0] + 128, origin[1] - 128], z).tile))!;
      const blues = new Set<number>();
      for (let k = 0; k < rgba.length; k += 4) if (rgba[k + 3] > 0) blues.add(rgba[k + 2]);
      expect([...blues], `zoom ${z}`).toEqual([100]);
    }
  });

  it('encodes WebP and PNG that keep the alpha channel', async () => {
    const rgba = (await renderOrthophoto(tileRaster(blocks(4)), tilePixel([origin[0] + 3, origin[1] - 20], 17).tile))!;
    for (const format of ['webp', 'png'] as const) {
      const image = sharp(await encodeTile(rgba, format));
      expect(await image.metadata()).toMatchObject({ format, width: 256, height: 256, channels: 4 });
    }
  });
});

describe('height-change tiles', () => {
  /** A flat DSM at `height` with a 10 m block (cols/rows 100-139) and a nodata square (200-219). */
  function dsm(height: number, block: number): NamedTileRaster {
    const data = new Float32Array(256 * 256).fill(height);
    for (let row = 0; row < 256; row++) {
      for (let column = 0; column < 256; column++) {
        if (row >= 100 && row < 140 && column >= 100 && column < 140) data[row * 256 + column] = height + block;
        if (row >= 200 && row < 220 && column >= 200 && column < 220) data[row * 256 + column] = -9999;
      }
    }
    return tileRaster(memorySource(info(256, 1, 'float32', 0.5, -9999), { width: 256, height: 256, bandCount: 1, data }, 'dsm'));
  }
  const at = (column: number, row: number): [number, number] => [origin[0] + (column + 0.5) * 0.5, origin[1] - (row + 0.5) * 0.5];
  const offset = { offset: 0.8, tiltX: 0.01, tiltY: 0, centreX: origin[0] + 64, centreY: origin[1] - 64, spread: 0.1, stableSamples: 1000 };

  it('removes the fitted offset and tilt, colours a rise red, and leaves unchanged ground and nodata transparent', async () => {
    // after = before + offset plane everywhere, + 6 m on the block
    const before = dsm(10, 0);
    const afterData = new Float32Array(256 * 256);
    for (let k = 0; k < afterData.length; k++) {
      const [x, y] = at(k % 256, Math.floor(k / 256));
      const inBlock = k % 256 >= 100 && k % 256 < 140 && Math.floor(k / 256) >= 100 && Math.floor(k / 256) < 140;
      const hole = k % 256 >= 200 && k % 256 < 220 && Math.floor(k / 256) >= 200 && Math.floor(k / 256) < 220;
      afterData[k] = hole ? -9999 : 10 + offset.offset + offset.tiltX * (x - offset.centreX) + offset.tiltY * (y - offset.centreY) + (inBlock ? 6 : 0);
    }
    const after = tileRaster(memorySource(info(256, 1, 'float32', 0.5, -9999), { width: 256, height: 256, bandCount: 1, data: afterData }, 'after'));
    const inputs: HeightChangeInputs = { before, after, offset, offsetCrs: gk, shift: { dx: 0, dy: 0 } };
    const block = tilePixel(at(120, 120), 19);
    const rgba = (await renderHeightChange(inputs, block.tile))!;
    const [r, g, b, a] = rgba.subarray(block.offset, block.offset + 4);
    expect(r).toBeGreaterThan(150);
    expect(r).toBeGreaterThan(g + 80);
    expect(r).toBeGreaterThan(b + 80);
    expect(a).toBeGreaterThan(150);
    // 61 m east of the plane's centre the tilt alone lifts the after DSM by 0.61 m
    const ground = tilePixel(at(250, 5), 19);
    expect((await renderHeightChange(inputs, ground.tile))![ground.offset + 3]).toBe(0);
    const hole = tilePixel(at(210, 210), 19);
    expect((await renderHeightChange(inputs, hole.tile))![hole.offset + 3]).toBe(0);
  });

  it('colours a fall blue', async () => {
    const inputs: HeightChangeInputs = { before: dsm(10, 8), after: dsm(10, 0), offset: { ...offset, offset: 0, tiltX: 0 }, offsetCrs: gk, shift: { dx: 0, dy: 0 } };
    const block = tilePixel(at(120, 120), 19);
    const [r, g, b] = (await renderHeightChange(inputs, block.tile))!.subarray(block.offset, block.offset + 3);
    expect(b).toBeGreaterThan(r + 80);
    expect(b).toBeGreaterThan(g);
  });
});

describe('the fixture scene', () => {
  it('shows a new building of the truth on the after orthophoto and in the height change, and not on the before orthophoto', async () => {
    const truth = JSON.parse(await readFile(`${scene}truth.geojson`, 'utf8'));
    const building = truth.features.find((f: { properties: { change_kind: string } }) => f.properties.change_kind === 'new_building');
    const ring: [number, number][] = building.geometry.coordinates[0];
    const centre: [number, number] = [ring.slice(0, -1).reduce((s, p) => s + p[0], 0) / (ring.length - 1), ring.slice(0, -1).reduce((s, p) => s + p[1], 0) / (ring.length - 1)];
    const point = crsTransform(4326, 4549)(centre);
    const { tile, offset } = tilePixel(point, 20);
    const [beforeOrtho, afterOrtho, beforeDsm, afterDsm] = await Promise.all(['before/ortho.tif', 'after/ortho.tif', 'before/dsm.tif', 'after/dsm.tif'].map((f) => openGeoTiff(`${scene}${f}`)));
    try {
      const before = (await renderOrthophoto(tileRaster(beforeOrtho), tile))!.subarray(offset, offset + 3);
      const after = (await renderOrthophoto(tileRaster(afterOrtho), tile))!.subarray(offset, offset + 3);
      expect(Math.hypot(before[0] - after[0], before[1] - after[1], before[2] - after[2])).toBeGreaterThan(40);
      // the scene's after flight: offset -0.88 m, tilt and misregistration as scene.json has them
      const fitted = { offset: -0.88, tiltX: 0.0000464, tiltY: 0.0001057, centreX: 496594 + 102.4, centreY: 3349828 + 102.4, spread: 0.1, stableSamples: 1000 };
      const inputs: HeightChangeInputs = { before: tileRaster(beforeDsm), after: tileRaster(afterDsm), offset: fitted, offsetCrs: gk, shift: { dx: 0.143, dy: -0.633 } };
      const rgba = (await renderHeightChange(inputs, tile))!;
      const [r, g, b, a] = rgba.subarray(offset, offset + 4);
      expect(r).toBeGreaterThan(g + 80);
      expect(r).toBeGreaterThan(b + 80);
      expect(a).toBeGreaterThan(200);
      // most of the tile is unchanged ground and roofs: transparent
      let transparent = 0;
      for (let k = 3; k < rgba.length; k += 4) if (rgba[k] === 0) transparent++;
      expect(transparent / (256 * 256)).toBeGreaterThan(0.5);
    } finally {
      await Promise.all([beforeOrtho, afterOrtho, beforeDsm, afterDsm].map((s) => s.close()));
    }
  });
});
