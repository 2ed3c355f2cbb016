import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tileCache } from './tile-cache.js';

describe('the tile cache', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'zhiwei-tile-cache-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const key = (version: string, y = 3) => ({ job: 7, layer: 'after', version, z: 18, x: 5, y, ext: 'webp' });

  it('renders a tile requested by several at once one time, stores it, and serves the file afterwards', async () => {
    const cache = tileCache(dir);
    let renders = 0;
    const render = async () => {
      renders++;
      await new Promise((resolve) => setTimeout(resolve, 20));
      return Buffer.from('tile bytes');
    };
    const answers = await Promise.all([0, 1, 2, 3].map(() => cache.get(key('v1'), render)));
    expect(renders).toBe(1);
    expect(answers.every((bytes) => bytes.toString() === 'tile bytes')).toBe(true);
    expect(await readFile(join(dir, '7', 'after', 'v1', '18', '5', '3.webp'), 'utf8')).toBe('tile bytes');
    // a new cache on the same folder (the service restarted) reads the file
    const later = await tileCache(dir).get(key('v1'), async () => {
      throw new Error('rendered again');
    });
    expect(later.toString()).toBe('tile bytes');
    expect((await readdir(join(dir, '7', 'after', 'v1', '18', '5'))).filter((name) => name.endsWith('.partial'))).toEqual([]);
  });

  it('stores a tile with nothing to draw as an empty file', async () => {
    const cache = tileCache(dir);
    expect((await cache.get(key('v1', 4), async () => null)).length).toBe(0);
    expect((await cache.get(key('v1', 4), async () => Buffer.from('x'))).length).toBe(0);
  });

  it('renders afresh under a new version and removes the older versions of the layer', async () => {
    const cache = tileCache(dir);
    const bytes = await cache.get(key('v2'), async () => Buffer.from('new raster'));
    expect(bytes.toString()).toBe('new raster');
    expect(await readdir(join(dir, '7', 'after'))).toEqual(['v2']);
  });

  it('passes a failed render to every request waiting on it, and stores nothing', async () => {
    const cache = tileCache(dir);
    const failing = async () => {
      await new Promise((resolve) => setTimeout(resolve, 10));
      throw new Error('raster unreadable');
    };
    const results = await Promise.allSettled([cache.get(key('v2', 9), failing), cache.get(key('v2', 9), failing)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(await cache.get(key('v2', 9), async () => Buffer.from('retried'))).toEqual(Buffer.from('retried'));
  });
});
