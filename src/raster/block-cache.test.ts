import { describe, expect, it } from 'vitest';
import { blockCache, cachedBlocks, type BlockLayout } from './block-cache.js';
import type { LevelReader } from './resample.js';
import type { PixelWindow } from './types.js';

/** A reader of a 3-band uint8 level whose pixels say where they are, and what was decoded from it. */
function level() {
  const value = (x: number, y: number, band: number) => (x * 7 + y * 13 + band * 101) % 256;
  const decoded: PixelWindow[] = [];
  let failures = 0;
  const read: LevelReader = async (_level, window, bands) => {
    if (failures > 0) {
      failures--;
      throw new Error('corrupt tile');
    }
    decoded.push(window);
    const out = new Uint8Array(window.width * window.height * bands.length);
    for (let y = 0; y < window.height; y++) {
      for (let x = 0; x < window.width; x++) {
        for (const [b, band] of bands.entries()) out[(y * window.width + x) * bands.length + b] = value(window.x + x, window.y + y, band);
      }
    }
    return out;
  };
  const expected = (window: PixelWindow, bands: number[]) => {
    const out: number[] = [];
    for (let y = window.y; y < window.y + window.height; y++) for (let x = window.x; x < window.x + window.width; x++) for (const band of bands) out.push(value(x, y, band));
    return Uint8Array.from(out);
  };
  return { read, decoded, expected, failNext: () => failures++ };
}

const decodedPixels = (windows: PixelWindow[]) => windows.reduce((sum, { width, height }) => sum + width * height, 0);

describe('cachedBlocks', () => {
  // 100 x 70 px in 32 x 32 tiles: the last column and row of tiles are cut by the edge
  const layout: BlockLayout = { width: 100, height: 70, blockWidth: 32, blockHeight: 32 };

  it('gives the pixels of any window and bands, decoding each block once', async () => {
    const { read, decoded, expected } = level();
    const cached = cachedBlocks(read, [layout], 3, 'uint8', blockCache(1e6)).read;
    const windows = [
      { x: 0, y: 0, width: 100, height: 70 },
      { x: 31, y: 31, width: 2, height: 2 },
      { x: 90, y: 60, width: 10, height: 10 },
      { x: 5, y: 40, width: 60, height: 1 },
    ];
    for (const bands of [[0, 1, 2], [2], [1, 0]]) {
      for (const window of windows) expect(await cached(0, window, bands)).toEqual(expected(window, bands));
    }
    expect(decodedPixels(decoded)).toBe(100 * 70);
  });

  it('decodes only the blocks missing from the cache, together, and shares a block being decoded', async () => {
    const { read, decoded, expected } = level();
    const cached = cachedBlocks(read, [layout], 3, 'uint8', blockCache(1e6)).read;
    // two reads at once over the same first tile
    const [a, b] = await Promise.all([cached(0, { x: 0, y: 0, width: 10, height: 10 }, [0, 1, 2]), cached(0, { x: 20, y: 5, width: 5, height: 5 }, [0, 1, 2])]);
    expect(a).toEqual(expected({ x: 0, y: 0, width: 10, height: 10 }, [0, 1, 2]));
    expect(b).toEqual(expected({ x: 20, y: 5, width: 5, height: 5 }, [0, 1, 2]));
    expect(decoded).toEqual([{ x: 0, y: 0, width: 32, height: 32 }]);
    // a window over the first two tiles and the two below them: the three missing ones in one box
    await cached(0, { x: 10, y: 10, width: 40, height: 40 }, [0]);
    expect(decoded.slice(1)).toEqual([{ x: 0, y: 0, width: 64, height: 64 }]);
  });

  // 8 x 8 px blocks, and room for eight of them
  const small: BlockLayout = { width: 100, height: 70, blockWidth: 8, blockHeight: 8 };
  const room = 8 * 8 * 8 * 3;
  const block = (column: number) => ({ x: column * 8, y: 0, width: 8, height: 8 });

  it('drops the blocks used least recently beyond its capacity', async () => {
    const { read, decoded } = level();
    const cached = cachedBlocks(read, [small], 3, 'uint8', blockCache(room)).read;
    for (let column = 0; column < 8; column++) await cached(0, block(column), [0]);
    await cached(0, block(0), [0]);
    await cached(0, block(8), [0]);
    expect(decoded.length).toBe(9);
    // block 1 was used least recently: dropped; block 0 is still there
    await cached(0, block(0), [0]);
    expect(decoded.length).toBe(9);
    await cached(0, block(1), [0]);
    expect(decoded.length).toBe(10);
  });

  it('shares its capacity between sources, and forgets a source cleared', async () => {
    const cache = blockCache(room);
    const [a, b] = [level(), level()];
    const [cachedA, cachedB] = [cachedBlocks(a.read, [small], 3, 'uint8', cache), cachedBlocks(b.read, [small], 3, 'uint8', cache)];
    await cachedA.read(0, block(0), [0]);
    // b's eight blocks, decoded together, fill the cache: a's is dropped
    await cachedB.read(0, { x: 0, y: 0, width: 64, height: 8 }, [0]);
    await cachedA.read(0, block(0), [0]);
    expect([a.decoded.length, b.decoded.length]).toEqual([2, 1]);
    // and a's again drops b's, whole
    expect(cache.bytes).toBe(8 * 8 * 3);
    cachedA.clear();
    expect(cache.bytes).toBe(0);
    await cachedB.read(0, block(3), [0]);
    expect(b.decoded.length).toBe(2);
  });

  it('reads a file whose blocks are too large to keep window by window, as asked', async () => {
    const { read, decoded, expected } = level();
    // one strip of 100 x 70 RGB px: more than an eighth of a 100 kB cache
    const cached = cachedBlocks(read, [{ width: 100, height: 70, blockWidth: 100, blockHeight: 70 }], 3, 'uint8', blockCache(100_000)).read;
    const window = { x: 10, y: 20, width: 5, height: 5 };
    expect(await cached(0, window, [1])).toEqual(expected(window, [1]));
    expect(decoded).toEqual([window]);
  });

  it('decodes a block that failed again on the next read', async () => {
    const { read, decoded, expected, failNext } = level();
    const cached = cachedBlocks(read, [layout], 3, 'uint8', blockCache(1e6)).read;
    failNext();
    const window = { x: 40, y: 40, width: 8, height: 8 };
    await expect(cached(0, window, [0, 1, 2])).rejects.toThrow('corrupt tile');
    expect(await cached(0, window, [0, 1, 2])).toEqual(expected(window, [0, 1, 2]));
    expect(decoded.length).toBe(1);
  });
});
