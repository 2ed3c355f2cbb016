/**
 * Read + align of wide windows in pieces: a DSM strip's heights (`readHeights`), and model tiles a
 * row of tiles at a time (`alignedRows`): full-width rows of the analysis grid
 * aligned once each, and tiles cut from them. Tiles overlap their neighbours on every side, so
 * read one by one every grid pixel would be sampled about 1.5 times, and the source rows a row of
 * tiles shares with the next decoded and block-averaged twice. A pixel's value depends on its
 * grid position alone (see `readAlignedWindows`), so a tile cut from the rows is the tile
 * `readAligned` reads, whichever rows were aligned first.
 */
import { readAligned, readAlignedWindows, readsReduced, type AlignedRaster, type ReadAlignedOptions } from './read-aligned.js';
import { allocateSamples } from './resample.js';
import { latticeStep } from './source-positions.js';
import type { AnalysisGrid, PixelWindow, RasterSource } from './types.js';

/** Grid windows read top to bottom from rows aligned once. */
export interface AlignedRows {
  /**
   * The pixels of `window` as `readAligned` gives them. Windows come top to bottom (a window
   * never starts above the one before it): the rows above a window are forgotten when it is read.
   */
  read(window: PixelWindow): Promise<AlignedRaster>;
}

/**
 * Widest piece of a wide window aligned at once: full-width rows of a wide raster are sampled a
 * piece at a time (the pieces' source pixels are still read together, `widestGroup` at a time).
 */
const pieceColumns = 1024;

/** `window` cut into pieces at most `pieceColumns` wide, left to right. */
function columnPieces(window: PixelWindow): PixelWindow[] {
  return Array.from({ length: Math.ceil(window.width / pieceColumns) }, (_, k) => ({
    ...window,
    x: window.x + k * pieceColumns,
    width: Math.min(pieceColumns, window.width - k * pieceColumns),
  }));
}

/** Heights (band 0) of a grid window from a DSM or DTM, bilinear, NaN where it has none. */
export async function readHeights(source: RasterSource, grid: AnalysisGrid, window: PixelWindow): Promise<Float32Array> {
  const heights = new Float32Array(window.width * window.height);
  const pieces = columnPieces(window);
  const aligned = await readAlignedWindows(source, grid, pieces, { resample: 'bilinear', bands: [0] });
  for (const [n, { x, width }] of pieces.entries()) {
    const { data, valid } = aligned[n];
    const left = x - window.x;
    for (let row = 0; row < window.height; row++) {
      for (let column = 0, i = row * width; column < width; column++, i++) heights[row * window.width + left + column] = valid[i] ? data[i] : Number.NaN;
    }
  }
  return heights;
}

/**
 * Windows of `grid` from `source` within columns [x0, x1) (the tiles' span, which may reach past
 * the grid's edges), each row aligned once. Rows are aligned in pieces whose corners lie a
 * multiple of `latticeStep` from (x0, y0), so a window whose corner does too (a model tile from
 * the first one's corner) gets the pixels `readAligned` gives it. Memory is the rows between the
 * top of the last window and the bottom of the lowest: about one row of tiles. A source read
 * reduced is read a window at a time (`readsReduced`).
 */
export function alignedRows(source: RasterSource, grid: AnalysisGrid, span: { x0: number; x1: number; y0: number }, options: ReadAlignedOptions): AlignedRows {
  if (readsReduced(source, grid)) return { read: (window) => readAligned(source, grid, window, options) };
  const { x0, x1, y0 } = span;
  const width = x1 - x0;
  const n = options.bands?.length ?? source.info.bandCount;
  // the aligned rows [top, bottom), row y from index (y - top) * width; none yet, and any window
  // (they may start above the grid) below them
  let top = Number.MIN_SAFE_INTEGER;
  let bottom = top;
  let data = allocateSamples(source.info.sampleType, 0);
  let valid = new Uint8Array(0);

  /** Aligns rows [bottom, y1) and keeps them below the others. */
  const align = async (y1: number): Promise<void> => {
    // from a row on the lattice's phase: the few rows above `bottom` again, alike to the last bit
    const start = bottom - (((bottom - y0) % latticeStep) + latticeStep) % latticeStep;
    const pieces = columnPieces({ x: x0, y: start, width, height: y1 - start });
    const aligned = await readAlignedWindows(source, grid, pieces, options);
    if (valid.length < (y1 - top) * width) {
      const grown = allocateSamples(source.info.sampleType, (y1 - top) * width * n);
      grown.set(data.subarray(0, (bottom - top) * width * n));
      data = grown;
      const grownValid = new Uint8Array((y1 - top) * width);
      grownValid.set(valid.subarray(0, (bottom - top) * width));
      valid = grownValid;
    }
    pieces.forEach((piece, k) => {
      for (let j = bottom - start; j < piece.height; j++) {
        const to = (start - top + j) * width + piece.x - x0;
        data.set(aligned[k].data.subarray(j * piece.width * n, (j + 1) * piece.width * n), to * n);
        valid.set(aligned[k].valid.subarray(j * piece.width, (j + 1) * piece.width), to);
      }
    });
    bottom = y1;
  };

  const readNow = async (window: PixelWindow): Promise<AlignedRaster> => {
    if (window.x < x0 || window.x + window.width > x1 || window.y < top) {
      throw new RangeError(`window (${window.x}, ${window.y}) ${window.width} x ${window.height} is not in the aligned rows' columns [${x0}, ${x1}) from row ${top}`);
    }
    // the rows above the window are not needed again
    const drop = Math.min(window.y, bottom) - top;
    if (drop > 0) {
      data.copyWithin(0, drop * width * n, (bottom - top) * width * n);
      valid.copyWithin(0, drop * width, (bottom - top) * width);
    }
    top = window.y;
    bottom = Math.max(bottom, top);
    if (window.y + window.height > bottom) await align(window.y + window.height);
    const out: AlignedRaster = {
      width: window.width,
      height: window.height,
      bandCount: n,
      data: allocateSamples(source.info.sampleType, window.width * window.height * n),
      valid: new Uint8Array(window.width * window.height),
    };
    for (let j = 0; j < window.height; j++) {
      const from = (window.y - top + j) * width + window.x - x0;
      out.data.set(data.subarray(from * n, (from + window.width) * n), j * window.width * n);
      out.valid.set(valid.subarray(from, from + window.width), j * window.width);
    }
    return out;
  };

  // one read at a time, in the order asked
  let last: Promise<unknown> = Promise.resolve();
  return {
    read(window) {
      const result = last.then(() => readNow(window));
      last = result.catch(() => {});
      return result;
    },
  };
}
