import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDxfMapping, readDxfMapping } from './dxf-mapping.js';

describe('DXF mapping', () => {
  it('reads a mapping file with layers, text rules and a CRS', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'zhiwei-mapping-'));
    const path = join(dir, 'mapping.json');
    const mapping = {
      crs: 'EPSG:4549',
      layers: { 规划用地: { kind: 'new_building' } },
      text: [{ field: 'permitted_height_m', pattern: '限高\\s*([\\d.]+)', number: true }],
    };
    await writeFile(path, '\uFEFF' + JSON.stringify(mapping));
    expect(await readDxfMapping(path)).toEqual(mapping);
    await rm(dir, { recursive: true, force: true });
  });

  it('rejects unknown keys, naming the mapping file and where they are', () => {
    expect(() => parseDxfMapping({ layer: {} }, 'm.json')).toThrow('m.json: the DXF mapping has unknown key "layer"; allowed: crs, layers, text');
    expect(() => parseDxfMapping({ text: [{ field: 'a', pattern: 'b', regex: 'c' }] }, 'm.json')).toThrow('m.json: text rule 1 has unknown key "regex"');
  });

  it('rejects a pattern that is not a regular expression', () => {
    expect(() => parseDxfMapping({ text: [{ field: 'permit_no', pattern: '建字第(\\d+号' }] }, 'm.json')).toThrow(
      /m.json: text rule 1: "pattern" is not a valid regular expression/,
    );
  });

  it('rejects a CRS zhiwei cannot use and layer properties that are not plain values', () => {
    expect(() => parseDxfMapping({ crs: 'Beijing 1954' }, 'm.json')).toThrow(/m.json: "crs": CRS "Beijing 1954" is neither/);
    expect(() => parseDxfMapping({ layers: { A: { kind: ['x'] } } }, 'm.json')).toThrow('m.json: layer "A": property "kind" must be a string, number, boolean or null');
  });
});
