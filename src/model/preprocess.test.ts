import { describe, expect, it } from 'vitest';
import { toModelInput } from './preprocess.js';
import type { ModelManifest } from './types.js';

const manifest = { tile_size: 2, normalization: { mean: [100, 50, 0], std: [10, 5, 2] } } as ModelManifest;

describe('toModelInput', () => {
  it('turns interleaved RGB tiles into normalized channel planes, tile after tile', () => {
    const a = Uint8Array.from([110, 55, 2, 100, 50, 0, 90, 45, 4, 100, 60, 0]);
    const b = Uint8Array.from([100, 50, 0, 100, 50, 0, 100, 50, 0, 100, 50, 0]);
    expect(Array.from(toModelInput([a, b], manifest))).toEqual([1, 0, -1, 0, 1, 0, -1, 2, 1, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it('skips the alpha band of RGBA tiles', () => {
    const rgba = Uint8Array.from([110, 55, 2, 255, 100, 50, 0, 0, 90, 45, 4, 255, 100, 60, 0, 255]);
    expect(Array.from(toModelInput([rgba], manifest, 4))).toEqual([1, 0, -1, 0, 1, 0, -1, 2, 1, 0, 2, 0]);
  });

  it('rejects a tile of the wrong size', () => {
    expect(() => toModelInput([new Uint8Array(9)], manifest)).toThrow('tile 0 has 9 bytes, expected 2x2x3 = 12');
  });
});
