import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BadInputError } from '../errors.js';
import { parseManifest, readManifest } from './manifest.js';

const rgb = { channels: 'RGB', layout: 'NCHW', dtype: 'float32' };
const good = {
  name: 'zhiwei-cd-test',
  version: '1.0.0',
  inputs: { before: { name: 'before', ...rgb }, after: { name: 'after', ...rgb } },
  normalization: { mean: [123.675, 116.28, 103.53], std: [58.395, 57.12, 57.375] },
  tile_size: 256,
  overlap: 32,
  gsd_m: 0.2,
  output: { name: 'change_probability', layout: 'NCHW', dtype: 'float32' },
  threshold: 0.5,
  card: { architecture: 'test' },
};

/** `good` with one field replaced (path given as dotted keys); `undefined` removes it. */
function withField(path: string, value: unknown): unknown {
  const copy = structuredClone(good) as Record<string, any>;
  const keys = path.split('.');
  const parent = keys.slice(0, -1).reduce((o, k) => o[k], copy);
  if (value === undefined) delete parent[keys.at(-1)!];
  else parent[keys.at(-1)!] = value;
  return copy;
}

describe('parseManifest', () => {
  it('accepts a complete manifest and keeps its fields', () => {
    const m = parseManifest(good, 'models/x.json');
    expect(m.tile_size).toBe(256);
    expect(m.inputs.after.name).toBe('after');
    expect(m.normalization.std).toEqual([58.395, 57.12, 57.375]);
    // a manifest written before radiometry was recorded takes the tiles as they are
    expect(m.radiometry).toBe('as_is');
    expect(parseManifest({ ...good, radiometry: 'before_matched_to_after' }, 'models/x.json').radiometry).toBe('before_matched_to_after');
  });

  it.each([
    ['tile_size', 250, 'models/x.json: tile_size must be a positive multiple of 32, got 250'],
    ['tile_size', undefined, 'models/x.json: tile_size must be a positive multiple of 32, got nothing'],
    ['overlap', 128, 'models/x.json: overlap must be a whole number of pixels from 0 to less than half of tile_size (256), got 128'],
    ['gsd_m', 0, 'models/x.json: gsd_m must be a positive number of metres, got 0'],
    ['threshold', 1.5, 'models/x.json: threshold must be a probability between 0 and 1, got 1.5'],
    ['inputs.before.channels', 'BGR', 'models/x.json: inputs.before.channels must be "RGB", got "BGR"'],
    ['inputs.after', undefined, 'models/x.json: inputs.after must be an object, got nothing'],
    ['inputs.after.name', 'before', 'models/x.json: inputs.after.name must be different from inputs.before.name, got "before"'],
    ['normalization.std', [58, 0, 57], 'models/x.json: normalization.std must be 3 positive numbers (R, G, B), got [58,0,57]'],
    ['normalization.mean', [0.5, 0.5], 'models/x.json: normalization.mean must be 3 numbers (R, G, B), got [0.5,0.5]'],
    ['output.name', '', 'models/x.json: output.name must be a non-empty string, got ""'],
    ['card', undefined, 'models/x.json: card must be an object, got nothing'],
    ['radiometry', 'histogram', 'models/x.json: radiometry must be "as_is" or "before_matched_to_after", got "histogram"'],
  ])('rejects a manifest whose %s is %j, naming the file and the field', (field, value, message) => {
    const parse = () => parseManifest(withField(field, value), 'models/x.json');
    expect(parse).toThrow(BadInputError);
    expect(parse).toThrow(message);
  });

  it('rejects a manifest that is not an object', () => {
    expect(() => parseManifest([good], 'models/x.json')).toThrow('models/x.json: the manifest must be an object');
  });
});

describe('readManifest', () => {
  it('names the file when it is not JSON', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'zhiwei-manifest-')), 'broken.json');
    writeFileSync(file, '{"name": ');
    await expect(readManifest(file)).rejects.toThrow(`${file}: not a readable JSON manifest`);
  });

  it('reads the shipped test manifest', async () => {
    const m = await readManifest(new URL('testdata/tiny-cd.json', import.meta.url).pathname);
    expect(m.name).toBe('tiny-cd');
  });
});
