import { describe, expect, it } from 'vitest';
import { matchBeforeToAfter, toModelInput } from './preprocess.js';
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

  it('writes into the memory it is given, whatever was there', () => {
    const a = Uint8Array.from([110, 55, 2, 100, 50, 0, 90, 45, 4, 100, 60, 0]);
    const into = new Float32Array(12).fill(7);
    expect(toModelInput([a], manifest, 3, into)).toBe(into);
    expect(Array.from(into)).toEqual(Array.from(toModelInput([a], manifest)));
    expect(() => toModelInput([a, a], manifest, 3, into)).toThrow('model input of 12 values for 2 tiles of 2x2x3');
  });

  it('rejects a tile of the wrong size', () => {
    expect(() => toModelInput([new Uint8Array(9)], manifest)).toThrow('tile 0 has 9 bytes, expected 2x2x3 = 12');
  });
});

describe('matchBeforeToAfter', () => {
  it('gives the before tile the after tile\'s colour mean and spread, channel by channel', () => {
    // the same ground under another white balance and exposure: before = 0.8 × after + (20, 5, 30)
    const after = Uint8Array.from({ length: 300 }, (_, i) => 40 + ((i * 37) % 150));
    const before = Uint8Array.from(after, (v, i) => Math.round(0.8 * v + [20, 5, 30][i % 3]));
    const matched = matchBeforeToAfter(before, after);
    for (let i = 0; i < after.length; i++) expect(Math.abs(matched[i] - after[i])).toBeLessThanOrEqual(1);
  });

  it('leaves pixels without data (black) out of the statistics and black', () => {
    const after = Uint8Array.from([100, 100, 100, 120, 120, 120, 0, 0, 0]);
    const before = Uint8Array.from([50, 50, 50, 60, 60, 60, 0, 0, 0]);
    expect(Array.from(matchBeforeToAfter(before, after))).toEqual([100, 100, 100, 120, 120, 120, 0, 0, 0]);
  });
});
