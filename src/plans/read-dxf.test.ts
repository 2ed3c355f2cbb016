import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeDxf, type TestDrawing } from '../test-support/dxf.js';
import { requireTool } from '../test-support/tools.js';
import { parseDxfMapping } from './dxf-mapping.js';
import { readVectorLayer } from './vector-layer.js';

const hasGdal = requireTool('ogrinfo');
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'zhiwei-dxf-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const square = (x: number, y: number, size: number): [number, number][] => [[x, y], [x + size, y], [x + size, y + size], [x, y + size]];

/** A plan drawing: a parcel with a courtyard hole, a second parcel, an existing building, a road and labels. */
const plan: TestDrawing = {
  layers: ['规划用地', '现状建筑', '道路', '文字'],
  polylines: [
    { layer: '规划用地', points: square(500000, 3350000, 100) },
    { layer: '规划用地', points: square(500040, 3350040, 20) },
    { layer: '规划用地', points: square(500200, 3350000, 60), bulges: [0, 0.4, 0, 0] },
    { layer: '现状建筑', points: square(500300, 3350000, 20) },
    { layer: '道路', points: square(500400, 3350000, 50) },
    { layer: '规划用地', points: [[500000, 3350200], [500100, 3350200], [500100, 3350300]], closed: false },
  ],
  labels: [
    { layer: '文字', at: [500010, 3350010], text: '建字第12号' },
    { layer: '文字', at: [500050, 3350050], text: '建字第99号' },
    { layer: '文字', at: [500210, 3350010], text: '{\\fSimSun|b0|i0;限高\\P24.5m}', mtext: true },
    { layer: '文字', at: [500220, 3350020], text: '建字第13号' },
    { layer: '文字', at: [500305, 3350005], text: '限高 9 m' },
  ],
};

const mapping = parseDxfMapping(
  {
    crs: 'EPSG:4549',
    layers: { 规划用地: { kind: 'new_building' }, 现状建筑: { kind: 'existing_building' } },
    text: [
      { field: 'permit_no', pattern: '建字第\\d+号' },
      { field: 'permitted_height_m', pattern: '限高\\s*([\\d.]+)\\s*m', number: true },
    ],
  },
  'mapping.json',
);

async function write(name: string, drawing: TestDrawing): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, writeDxf(drawing));
  return path;
}

/** ogrinfo's listing of the drawing; GDAL 3.6 decodes by $DWGCODEPAGE even in UTF-8 (AC1021+) files. */
function ogrinfo(path: string, encoding?: string): string {
  const config = encoding ? ['--config', 'DXF_ENCODING', encoding] : [];
  return execFileSync('ogrinfo', [...config, '-ro', '-al', path], { encoding: 'utf8' });
}

describe('readVectorLayer on DXF', () => {
  it('reads closed polylines on the mapped layers, with holes, fixed properties and label fields', async () => {
    const layer = await readVectorLayer(await write('plan.dxf', plan), { dxfMapping: mapping });
    expect(layer).toMatchObject({ format: 'dxf', crs: 4549 });
    expect(layer.features.map((f) => f.properties)).toEqual([
      { kind: 'new_building', layer: '规划用地', permit_no: '建字第12号', permitted_height_m: null },
      { kind: 'new_building', layer: '规划用地', permit_no: '建字第13号', permitted_height_m: 24.5 },
      { kind: 'existing_building', layer: '现状建筑', permit_no: null, permitted_height_m: 9 },
    ]);
    expect(layer.features.map((f) => f.row)).toEqual([1, 2, 3]);
    const [courtyard, arched] = layer.features;
    expect(courtyard.polygons).toHaveLength(1);
    expect(courtyard.polygons[0]).toHaveLength(2);
    // The bulged edge (x = 500260) bows outwards as an arc instead of a straight side.
    expect(Math.max(...arched.polygons[0][0].map(([x]) => x))).toBeGreaterThan(500270);
  });

  it.skipIf(!hasGdal)('writes test drawings that GDAL reads too', async () => {
    const listing = ogrinfo(await write('plan-gdal.dxf', plan), 'UTF-8');
    expect(listing).toContain('Feature Count: 11');
    expect(listing).toContain('Layer (String) = 规划用地');
    expect(listing).toContain('Text (String) = 建字第12号');
  });

  it('reads every closed polyline with its layer when the mapping names no layers', async () => {
    const layer = await readVectorLayer(await write('all.dxf', plan), { crs: 4549 });
    expect(layer.features.map((f) => f.properties.layer)).toEqual(['规划用地', '规划用地', '现状建筑', '道路']);
  });

  it('honours $DWGCODEPAGE ANSI_936 (GBK) in an AutoCAD 2000 drawing', async () => {
    const path = await write('plan-gbk.dxf', { ...plan, version: 'AC1015', codePage: 'ANSI_936' });
    const layer = await readVectorLayer(path, { dxfMapping: mapping });
    expect(layer.features.map((f) => f.properties.permit_no)).toEqual(['建字第12号', '建字第13号', null]);
    expect(layer.features[2].properties.layer).toBe('现状建筑');
    if (hasGdal) expect(ogrinfo(path)).toContain('Text (String) = 建字第13号');
  });

  it('reads AutoCAD 2007+ drawings as UTF-8 whatever $DWGCODEPAGE says', async () => {
    const path = await write('plan-2013.dxf', { ...plan, version: 'AC1027', codePage: 'ANSI_936' });
    const layer = await readVectorLayer(path, { dxfMapping: mapping });
    expect(layer.features[0].properties.permit_no).toBe('建字第12号');
  });

  it('asks for a CRS when neither the caller nor the mapping gives one', async () => {
    const path = await write('no-crs.dxf', plan);
    await expect(readVectorLayer(path)).rejects.toThrow(`${path}: a DXF drawing has no CRS`);
  });

  it('names the layers that do hold outlines when the mapped ones hold none', async () => {
    const path = await write('wrong-layers.dxf', plan);
    const wrong = parseDxfMapping({ crs: 4549, layers: { 建筑: {} } }, 'wrong.json');
    await expect(readVectorLayer(path, { dxfMapping: wrong })).rejects.toThrow(
      /no closed polylines on the mapped layers \(建筑\); closed polylines are on: 规划用地, 现状建筑, 道路/,
    );
  });

  it('rejects two different permit numbers in one outline, naming the line of the second', async () => {
    const twice = { ...plan, labels: [...plan.labels, { layer: '文字', at: [500090, 3350090] as [number, number], text: '建字第77号' }] };
    await expect(readVectorLayer(await write('twice.dxf', twice), { dxfMapping: mapping })).rejects.toThrow(
      /line \d+: permit_no: "建字第77号" differs from "建字第12号" already found in the same outline \(feature 1\)/,
    );
  });

  it('rejects a closed polyline with fewer than 3 distinct points, naming its line', async () => {
    const flat = { ...plan, polylines: [{ layer: '规划用地', points: [[0, 0], [10, 0], [0, 0]] as [number, number][] }] };
    await expect(readVectorLayer(await write('flat.dxf', flat), { dxfMapping: mapping })).rejects.toThrow(
      /flat.dxf: line \d+: closed polyline on layer "规划用地" has 2 distinct points/,
    );
  });

  it('refuses a drawing cut short (no ENDSEC, no EOF) rather than read the part before the cut', async () => {
    const text = new TextDecoder().decode(writeDxf(plan));
    const cut = text.slice(0, text.indexOf('限高 9 m'));
    const path = join(dir, 'cut.dxf');
    await writeFile(path, cut);
    const lastLine = cut.split('\r\n').length;
    await expect(readVectorLayer(path, { dxfMapping: mapping })).rejects.toThrow(`${path}: the drawing ends at line ${lastLine} but section ENTITIES has no ENDSEC and there is no EOF: the file is cut short`);
    await writeFile(path, text.replace(/  0\r\nEOF\r\n$/, ''));
    await expect(readVectorLayer(path, { dxfMapping: mapping })).rejects.toThrow(/the drawing ends at line \d+ but there is no EOF: the file is cut short/);
  });

  it('refuses a coordinate that is no finite number, naming the line of its group code', async () => {
    const lines = new TextDecoder().decode(writeDxf(plan)).split('\r\n');
    const at = lines.indexOf('500300') - 1;
    expect(lines[at].trim()).toBe('10');
    lines[at + 1] = '1e400';
    const path = join(dir, 'overflow.dxf');
    await writeFile(path, lines.join('\r\n'));
    await expect(readVectorLayer(path, { dxfMapping: mapping })).rejects.toMatchObject({
      kind: 'bad_input',
      message: `${path}: line ${at + 1}: group code 10 holds "1e400", not a finite number`,
    });
  });

  it('refuses GBK text in an AutoCAD 2013 drawing, which is UTF-8, naming the line and how it reads in GBK', async () => {
    const gbk = writeDxf({ ...plan, version: 'AC1015', codePage: 'ANSI_936' });
    const path = join(dir, 'gbk-as-2013.dxf');
    await writeFile(path, Buffer.from(Buffer.from(gbk).toString('latin1').replace('AC1015', 'AC1027'), 'latin1'));
    const line = new TextDecoder('gbk').decode(gbk).split('\r\n').indexOf('规划用地') + 1;
    await expect(readVectorLayer(path, { dxfMapping: mapping })).rejects.toMatchObject({
      kind: 'bad_input',
      message: `${path}: line ${line}: the bytes are not UTF-8 text, the encoding the drawing is read in`,
      hint: 'they read as GBK: "规划用地"; pass --encoding gbk',
    });
    expect((await readVectorLayer(path, { dxfMapping: mapping, encoding: '936' })).features).toHaveLength(3);
  });
});
