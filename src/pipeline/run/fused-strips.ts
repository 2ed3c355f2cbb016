/**
 * The fused strips of a detect, top to bottom: each row of model tiles read, aligned and run while
 * the rows above it are fused with the height change. A queued job's batches run any range of
 * segments and give the strips a whole run gives for them.
 */
import type { ChangeModel } from '../../model/types.js';
import { shiftedGrid } from '../coregister.js';
import { groundSurface } from '../ground.js';
import { inferTiles, probabilityRows, tileReaders, type InferTimings } from '../infer.js';
import type { IngestInputs } from '../ingest.js';
import { planTiles } from '../tile-plan.js';
import type { ChangeStrip, ProgressFactory } from '../types.js';
import { stageTimer } from './stage-timer.js';
import { fusionSegments, type DetectPlan } from './plan-detect.js';
import { fuseChunks, type StripContext } from './fuse-chunks.js';

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
 * the same batches, each tile's pixels the same whichever row of tiles came first (`alignedRows`).
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
  const readers = tileReaders({ before: sources.beforeOrtho!, after: sources.afterOrtho! }, { before: context.beforeGrid, after: grid }, tiles);
  const rowTiles = (row: number) => tiles.filter((tile) => tile.row === row);
  const inferRow = async (row: number): Promise<number> => {
    const these = rowTiles(row);
    // the next row's first batch is read right after this row's last, to be ready when this row is done
    const count = await inferTiles(model, readers, these, rows, timings, row + 1 < range.to ? rowTiles(row + 1) : []);
    bar.tick(these.length);
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
