/**
 * How `npm run bench` (bench/run.js) turns the benches' JSON lines into figures, on lines as the
 * benches print them: units and directions from snake_case and camelCase field names, the case a
 * line is about in the name, breakdowns in their whole's unit, per-sample lines left to the
 * pooled line, ratios read as the bench says.
 */
import { describe, expect, it } from 'vitest';
import { figuresOf, readField } from '../bench/figures.js';

type Figure = { bench: string; name: string; value: number; unit: string; better: string };
const figures = figuresOf as (bench: string, line: Record<string, unknown>, readings?: Record<string, [string, string]>) => Figure[];

describe('bench figures', () => {
  it.each([
    ['tiles_per_s', 'tiles/s', 'higher'],
    ['mpxPerS', 'Mpx/s', 'higher'],
    ['requestsPerSecond', 'requests/s', 'higher'],
    ['events_appended_per_s', 'events appended/s', 'higher'],
    ['p50Ms', 'ms', 'lower'],
    ['msPerTile', 'ms', 'lower'],
    ['cold_median_ms', 'ms', 'lower'],
    ['seconds', 's', 'lower'],
    ['detect_s', 's', 'lower'],
    ['peakRssMiB', 'MiB', 'lower'],
    ['peak_rss_mib', 'MiB', 'lower'],
    ['bytesPerTile', 'bytes', 'lower'],
    ['prefab_shed_recall', 'ratio', 'higher'],
    ['median_height_error_m', 'm', 'lower'],
  ])('reads %s as %s, %s is better', (field, unit, better) => {
    expect(readField(field)).toEqual([unit, better]);
  });

  it.each(['candidates', 'tiles', 'errors', 'non2xx', 'tiles_per_s_range', 'sqlShare'])('takes %s for context, not a figure', (field) => {
    expect(readField(field)).toBeNull();
  });

  it('names a figure by its bench, the case the line is about and its field, and spreads a breakdown', () => {
    const line = { bench: 'detect-throughput', scene_px: 4096, grid_px: 2048, tiles: 100, threads: 2, pipeline_tiles_per_s: 11.8, ratio: 0.18, stages_ms: { read: 2600, infer: 1200 } };
    expect(figures('detect-throughput', line, { ratio: ['pipeline/model', 'higher'] })).toEqual([
      { bench: 'detect-throughput', name: 'detect-throughput[scene_px=4096,threads=2].pipeline_tiles_per_s', value: 11.8, unit: 'tiles/s', better: 'higher' },
      { bench: 'detect-throughput', name: 'detect-throughput[scene_px=4096,threads=2].ratio', value: 0.18, unit: 'pipeline/model', better: 'higher' },
      { bench: 'detect-throughput', name: 'detect-throughput[scene_px=4096,threads=2].stages_ms.read', value: 2600, unit: 'ms', better: 'lower' },
      { bench: 'detect-throughput', name: 'detect-throughput[scene_px=4096,threads=2].stages_ms.infer', value: 1200, unit: 'ms', better: 'lower' },
    ]);
  });

  it('leaves per-scene and per-run lines to the pooled line, and passes skips on', () => {
    expect(figures('detect-accuracy', { bench: 'detect-accuracy', mode: 'dsm', seed: 3001, recall: 0.9 })).toEqual([]);
    expect(figures('detect-accuracy', { bench: 'detect-accuracy', mode: 'dsm', seeds: '3001-3002', recall: 0.9 })).toEqual([
      { bench: 'detect-accuracy', name: 'detect-accuracy[mode=dsm].recall', value: 0.9, unit: 'ratio', better: 'higher' },
    ]);
    // a tile size is not a tile
    const model = { runtime: 'onnxruntime-node', model: 'zhiwei-cd-v1', threads: 2, batch: 8, tile: 256, tiles_per_s: 9.69, tiles_per_s_range: [9.1, 9.9] };
    expect(figures('model-throughput', model)).toEqual([
      { bench: 'model-throughput', name: 'model-throughput[runtime=onnxruntime-node,threads=2,batch=8].tiles_per_s', value: 9.69, unit: 'tiles/s', better: 'higher' },
    ]);
    expect(figures('eval-real', { bench: 'eval-real', unit: 'tile', tile: 'test_7', f1: 0.5 })).toEqual([]);
    expect(figures('model-throughput', { runtime: 'pytorch', skipped: 'no torch' })).toEqual([{ bench: 'model-throughput', skipped: 'no torch' }]);
  });
});
