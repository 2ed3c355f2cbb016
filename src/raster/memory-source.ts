/**
 * A `RasterSource` over pixels held in memory, so that every stage can be tested without files.
 */
import { allocateSamples, readWindowFrom } from './resample.js';
import type { PixelWindow, RasterData, RasterInfo, RasterSource, SampleArray } from './types.js';

/** A raster source reading from `data`, which must match `info` in size, bands and sample type. */
export function memorySource(info: RasterInfo, data: RasterData, name = 'memory'): RasterSource {
  checkMatches(info, data, name);
  const levels = [{ width: info.width, height: info.height }];
  const read = async (_level: number, window: PixelWindow, bands: number[]): Promise<SampleArray> =>
    copyWindow(data, window, bands, info);
  return {
    name,
    info,
    readWindow: (window, options) => readWindowFrom(info, levels, read, window, options),
    close: async () => {},
  };
}

/** The pixels of `window` (inside the raster) for `bands`, pixel-interleaved. */
function copyWindow(source: RasterData, window: PixelWindow, bands: number[], info: RasterInfo): SampleArray {
  const out = allocateSamples(info.sampleType, window.width * window.height * bands.length);
  const n = source.bandCount;
  let o = 0;
  for (let row = window.y; row < window.y + window.height; row++) {
    for (let col = window.x; col < window.x + window.width; col++) {
      const p = (row * source.width + col) * n;
      for (const band of bands) out[o++] = source.data[p + band];
    }
  }
  return out;
}

function checkMatches(info: RasterInfo, data: RasterData, name: string): void {
  const expected = info.width * info.height * info.bandCount;
  if (data.width !== info.width || data.height !== info.height || data.bandCount !== info.bandCount) {
    throw new RangeError(
      `${name}: pixels are ${data.width}x${data.height}x${data.bandCount} but info says ` +
        `${info.width}x${info.height}x${info.bandCount}`,
    );
  }
  if (data.data.length !== expected) {
    throw new RangeError(`${name}: expected ${expected} samples, got ${data.data.length}`);
  }
  const probe = allocateSamples(info.sampleType, 0);
  if (data.data.constructor !== probe.constructor) {
    throw new RangeError(`${name}: pixels are a ${data.data.constructor.name}, info says ${info.sampleType}`);
  }
}
