/**
 * The fused strips of a detect, top to bottom: each row of model tiles read, aligned and run while
 * the rows above it are fused with the height change. A queued job's batches run any range of
 * segments and give the strips a whole run gives for them.
 */
import type { ChangeModel } from '../../model/types.js';
import type { AnalysisGrid, PixelWindow } from '../../raster/types.js';
import { shiftedGrid } from '../coregister.js';
import { fuseStrip, fusionMargin, type FusionRule } from '../fuse.js';
import { groundSurface, type GroundSurface } from '../ground.js';
import { inferTiles, probabilityRows, type InferTimings, type TileValues } from '../infer.js';
import type { IngestInputs } from '../ingest.js';
import { readHeights } from '../../raster/read-aligned.js';
import { planTiles } from '../tile-plan.js';
import type { ChangeStrip, ProgressFactory } from '../types.js';
import { offsetAt, type VerticalOffset } from '../../geo/vertical-offset.js';
import { stageTimer, type StageTimer } from './stage-timer.js';
import { fusionSegments, type DetectPlan } from './plan-detect.js';

/** What fusing a run of segments counted, for the summary. */
export interface FusionTally {
  tilesInferred: number;
}

/** Where `fusedStrips` reports to. */
export interface FusionRun {
  progress: ProgressFactory;
  /** Stage times, added to. */
  stagesMs: Record<string, number>;
  tally: FusionTally;
}

/**
 * The fused strips of segments [from, to), top to bottom, a few rows each. With a model, each
 * segment's tile row runs (and the row above the first, whose tiles reach into it); the next row
 * of tiles is read and runs (the model on its worker thread) while the strips of the row above are
 * fused and consumed, so the stages overlap and their times add up to more than the job's. Any
 * run of segments gives the strips the whole run gives for them, bit for bit: the same tiles in
 * the same batches, the same windows read.
 */
export async function* fusedStrips(
  plan: DetectPlan,
  sources: IngestInputs,
  model: ChangeModel | null,
  range: { from: number; to: number },
  run: FusionRun,
): AsyncGenerator<ChangeStrip> {
  const { grid, offset, shift, rule } = plan;
  const context: StripContext = {
    sources, grid, offset, rule,
    beforeGrid: shift ? shiftedGrid(grid, shift) : grid,
    ground: plan.ground && groundSurface(plan.ground),
    time: stageTimer(run.stagesMs),
  };
  const segments = fusionSegments(plan).slice(0, range.to);
  if (!model) {
    const bar = run.progress('heights', range.to - range.from, 'strips');
    for (const { y0, y1 } of segments.slice(range.from)) {
      yield* fuseChunks(context, y0, y1, undefined);
      bar.tick();
    }
    bar.done();
    return;
  }
  const tilePlan = planTiles(grid, { tileSize: model.manifest.tile_size, overlap: model.manifest.overlap });
  const start = segments[range.from].y0;
  // the first tile row reaching into the first segment
  const first = tilePlan.find((tile) => tile.window.y + tile.window.height > start)?.row ?? range.from;
  const tiles = tilePlan.filter((tile) => tile.row >= first && tile.row < range.to);
  const rows = probabilityRows(grid.width, model.manifest.tile_size, model.manifest.overlap);
  const timings: InferTimings = { readMs: 0, inferMs: 0 };
  const bar = run.progress('detect', tiles.length, 'tiles');
  const orthophotos = { before: sources.beforeOrtho!, after: sources.afterOrtho! };
  const inferRow = async (row: number): Promise<number> => {
    const rowTiles = tiles.filter((tile) => tile.row === row);
    const count = await inferTiles(model, orthophotos, { before: context.beforeGrid, after: grid }, rowTiles, rows, timings);
    bar.tick(rowTiles.length);
    return count;
  };
  let inferring = inferRow(first);
  for (let row = first; row < range.to; row++) {
    const ran = await inferring;
    // rows above the first segment ran only for the tiles reaching into it: another batch counts them
    if (row >= range.from) run.tally.tilesInferred += ran;
    // the next row's tiles add to rows below this segment only, which fusion no longer reads
    if (row + 1 < range.to) {
      inferring = inferRow(row + 1);
      // awaited on the next turn; should fusion fail first, its failure is the one reported
      inferring.catch(() => {});
    }
    const { y0, y1 } = segments[row];
    if (row >= range.from && y1 > y0) yield* fuseChunks(context, y0, y1, rows.take(y0, y1));
  }
  bar.done();
  run.stagesMs['read+align'] = (run.stagesMs['read+align'] ?? 0) + timings.readMs;
  run.stagesMs.infer = (run.stagesMs.infer ?? 0) + timings.inferMs;
}

interface StripContext {
  sources: IngestInputs;
  grid: AnalysisGrid;
  /** The grid the before epoch is read on: the analysis grid moved by the co-registration shift. */
  beforeGrid: AnalysisGrid;
  offset: VerticalOffset | null;
  ground: GroundSurface | null;
  rule: FusionRule;
  time: StageTimer;
}

/** Rows fused at once: fusion's working arrays grow with a strip's width times its rows. */
const fuseRows = 64;

/** Heights of rows [y0, y1) (with a margin for misregistration), then the fused strips a few rows at a time. */
async function* fuseChunks(strips: StripContext, y0: number, y1: number, tiles: TileValues | undefined): AsyncGenerator<ChangeStrip> {
  const { sources, grid, beforeGrid, offset, ground, rule, time } = strips;
  const margin = fusionMargin(rule);
  const { width } = grid;
  const window: PixelWindow = { x: 0, y: y0 - margin, width, height: y1 - y0 + 2 * margin };
  const heights: Partial<Record<'dsmBefore' | 'dsmAfter' | 'offset' | 'ground', Float32Array>> =
    sources.beforeDsm && sources.afterDsm && offset
      ? await time('height change', async () => {
          // both DSMs at once: libvips decodes one off the main thread while the other is resampled
          const [dsmBefore, dsmAfter] = await Promise.all([readHeights(sources.beforeDsm!, beforeGrid, window), readHeights(sources.afterDsm!, grid, window)]);
          return { dsmBefore, dsmAfter, offset: offsetRaster(offset, grid, window), ground: ground?.groundAt(window) };
        })
      : {};
  for (let a = y0; a < y1; a += fuseRows) {
    const b = Math.min(y1, a + fuseRows);
    // rows [a - margin, b + margin) of the arrays read for [y0 - margin, y1 + margin)
    const rows = (values: Float32Array | undefined) => values?.subarray((a - y0) * width, (b - y0 + 2 * margin) * width);
    const part = {
      y0: a, width, height: b - a, margin,
      probability: tiles?.probability.subarray((a - y0) * width, (b - y0) * width),
      greenness: tiles?.greenness.subarray((a - y0) * width, (b - y0) * width),
      dsmBefore: rows(heights.dsmBefore), dsmAfter: rows(heights.dsmAfter), offset: rows(heights.offset), ground: rows(heights.ground),
    };
    yield await time('fuse', async () => fuseStrip(part, rule));
  }
}

/** The fitted vertical offset of the after DSM at every pixel of a grid window. */
function offsetRaster(offset: VerticalOffset, grid: AnalysisGrid, window: PixelWindow): Float32Array {
  const [originX, gsd, , originY] = grid.geoTransform;
  const out = new Float32Array(window.width * window.height);
  for (let row = 0; row < window.height; row++) {
    const y = originY - (window.y + row + 0.5) * gsd;
    for (let column = 0; column < window.width; column++) {
      out[row * window.width + column] = offsetAt(offset, originX + (window.x + column + 0.5) * gsd, y);
    }
  }
  return out;
}
