import { describe, expect, it } from 'vitest';
import { fuseStrip, fusionMargin, type FusionRule, type StripRasters } from './fuse.js';
import { keptArrays, neighbourhoodMax } from './height-change.js';
import { planeResidual, roughSurfaceM } from './vegetation.js';

const rule: FusionRule = { heightThresholdM: 2, probabilityThreshold: 0.5, misregistrationPx: 2, buildingHeightM: 2.5, roughnessRadiusPx: 2 };
const width = 12;

/** A DSM strip of ground at 10 m with `top` m over columns [x0, x1) of every row. */
function dsm(rows: number, x0 = 0, x1 = 0, top = 10): Float32Array {
  return Float32Array.from({ length: rows * width }, (_, i) => (i % width >= x0 && i % width < x1 ? top : 10));
}

describe('fuseStrip', () => {
  it('marks pixels whose robust height change passes the threshold, and crops the margins', () => {
    const margin = 2;
    const strip = fuseStrip(
      {
        y0: 40,
        width,
        height: 3,
        margin,
        dsmBefore: dsm(7),
        dsmAfter: dsm(7, 4, 8, 16.5),
        offset: new Float32Array(7 * width).fill(0.5),
        ground: new Float32Array(7 * width).fill(10),
      },
      rule,
    );
    expect(strip.y0).toBe(40);
    expect(Array.from(strip.change.subarray(0, width))).toEqual([0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0]);
    expect(strip.heightChange[5]).toBeCloseTo(6, 5);
    expect(strip.heightAfter[5]).toBeCloseTo(6, 5);
    expect(strip.heightBefore[5]).toBeCloseTo(0, 5);
    expect(strip.probability.every(Number.isNaN)).toBe(true);
  });

  it('uses the model probability alone without DSMs', () => {
    const probability = Float32Array.from({ length: 2 * width }, (_, i) => (i % width) / width);
    const strip = fuseStrip({ y0: 0, width, height: 2, margin: 0, probability }, rule);
    expect(strip.change.filter((v) => v).length).toBe(12);
    expect(strip.heightChange.every(Number.isNaN)).toBe(true);
  });
});

describe('fuseStrip with the model', () => {
  it('takes a plain height change where the model sees change, even next to a taller building', () => {
    // a 3 m extension (columns 6-7) built against a 9 m house (columns 2-5)
    const before = dsm(1, 2, 6, 19);
    const after = Float32Array.from(before, (h, i) => (i % width >= 6 && i % width < 8 ? 13 : h));
    const probability = Float32Array.from({ length: width }, (_, i) => (i >= 6 && i < 8 ? 0.9 : 0.1));
    const withModel = fuseStrip({ y0: 0, width, height: 1, margin: 0, probability, dsmBefore: before, dsmAfter: after, offset: new Float32Array(width) }, rule);
    expect(Array.from(withModel.change)).toEqual([0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0]);
    const heightsOnly = fuseStrip({ y0: 0, width, height: 1, margin: 0, dsmBefore: before, dsmAfter: after, offset: new Float32Array(width) }, rule);
    expect(heightsOnly.change.filter((v) => v).length).toBeLessThan(2);
  });
});

describe('fuseStrip near buildings', () => {
  it('grows a rise up to the wall it is built against by its plain height change', () => {
    // a 3 m extension (columns 6-9) built against a 9 m house (columns 2-5)
    const before = dsm(1, 2, 6, 19);
    const after = Float32Array.from(before, (h, i) => (i % width >= 6 && i % width < 10 ? 13 : h));
    const strip = fuseStrip({ y0: 0, width, height: 1, margin: 0, dsmBefore: before, dsmAfter: after, offset: new Float32Array(width) }, rule);
    expect(Array.from(strip.change)).toEqual([0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 0, 0]);
  });

  it('does not grow along the edge of an unchanged building that moved between flights', () => {
    const before = dsm(1, 2, 6, 19);
    const after = dsm(1, 3, 7, 19);
    const strip = fuseStrip({ y0: 0, width, height: 1, margin: 0, dsmBefore: before, dsmAfter: after, offset: new Float32Array(width) }, rule);
    expect(Array.from(strip.change)).toEqual(new Array(width).fill(0));
  });

  it('marks where a building stood before within the misregistration tolerance', () => {
    // a 9 m house (columns 2-5) on ground at 10 m; the tolerance is 2 px
    const before = dsm(1, 2, 6, 19);
    const ground = new Float32Array(width).fill(10);
    const strip = fuseStrip({ y0: 0, width, height: 1, margin: 0, dsmBefore: before, dsmAfter: before, offset: new Float32Array(width), ground }, rule);
    expect(Array.from(strip.nearBuilding)).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0]);
  });
});

describe('fuseStrip across strip cuts', () => {
  it('marks the same pixels whether a window is fused whole or cut in two, with the fusion margin', () => {
    // an annex of 3 m (rows 14-17) between two 9 m houses (rows 10-13 and 18-21): misregistration
    // tolerance hides its every pixel; a strip that ends before the second house would not know it
    const rows = 30;
    const margin = fusionMargin(rule);
    const full = rows + 2 * margin;
    const rowOf = (i: number) => Math.floor(i / width) - margin;
    const before = Float32Array.from({ length: full * width }, (_, i) => ((rowOf(i) >= 10 && rowOf(i) <= 13) || (rowOf(i) >= 18 && rowOf(i) <= 21) ? 19 : 10));
    const after = Float32Array.from(before, (h, i) => (rowOf(i) >= 14 && rowOf(i) <= 17 ? 13 : h));
    const offset = new Float32Array(full * width);
    const fuse = (y0: number, height: number) => {
      const part = (values: Float32Array) => values.subarray(y0 * width, (y0 + height + 2 * margin) * width);
      return [...fuseStrip({ y0, width, height, margin, dsmBefore: part(before), dsmAfter: part(after), offset: part(offset) }, rule).change];
    };
    const whole = fuse(0, rows);
    for (const cut of [14, 15, 16, 17]) expect([...fuse(0, cut), ...fuse(cut, rows - cut)], `cut at row ${cut}`).toEqual(whole);
  });
});

describe('fuseStrip into kept memory', () => {
  it('gives each strip what fresh arrays give, whatever the strips before it left there', () => {
    const memory = keptArrays();
    const rows = 6;
    // a house of 9 m before, beside which a shed of 6 m rose
    const before = dsm(rows, 0, 5, 19);
    const after = Float32Array.from(dsm(rows, 6, 9, 16), (h, i) => Math.max(h, before[i]));
    const ground = new Float32Array(rows * width).fill(10);
    const probability = Float32Array.from({ length: rows * width }, (_, i) => (i % 5) / 4);
    const strips = [
      { y0: 0, width, height: rows, margin: 0, probability, dsmBefore: before, dsmAfter: after, offset: new Float32Array(rows * width), ground },
      // no ground, a shorter strip: rows of the first strip's values lie past its end
      { y0: 6, width, height: 4, margin: 0, dsmBefore: dsm(4, 1, 4, 14), dsmAfter: dsm(4), offset: new Float32Array(4 * width) },
      // the model alone
      { y0: 10, width, height: rows, margin: 0, probability: probability.map((p) => 1 - p) },
    ];
    const bits = (values: Float32Array | Uint8Array) => [...new Uint8Array(values.buffer, values.byteOffset, values.byteLength)];
    for (const rasters of strips) {
      const kept = fuseStrip(rasters, rule, memory);
      const fresh = fuseStrip(rasters, rule);
      for (const [name, values] of Object.entries(fresh)) {
        if (typeof values === 'number') expect(kept[name as keyof typeof kept]).toBe(values);
        else expect(bits(kept[name as keyof typeof kept] as Float32Array), `${name} of the strip at row ${rasters.y0}`).toEqual(bits(values));
      }
    }
  });
});

describe('fuseStrip against the whole-raster definitions', () => {
  /** Fusion as the module doc defines it, every raster computed at every pixel: `change` and, where the vectorizer reads them, `roughness` and `nearBuilding`. */
  function definition(r: Required<Pick<StripRasters, 'dsmBefore' | 'dsmAfter' | 'offset' | 'ground' | 'probability'>> & StripRasters) {
    const { width, height, margin, dsmBefore, dsmAfter, offset, ground, probability } = r;
    const full = height + 2 * margin;
    const radius = rule.misregistrationPx;
    const t = rule.heightThresholdM;
    const beforeMax = neighbourhoodMax(dsmBefore, width, full, radius);
    const afterMax = neighbourhoodMax(dsmAfter, width, full, radius);
    const robust = Float32Array.from(dsmBefore, (b, j) => {
      if (Number.isNaN(b) || Number.isNaN(dsmAfter[j])) return Number.NaN;
      const rise = dsmAfter[j] - offset[j] - beforeMax[j];
      const fall = afterMax[j] - offset[j] - b;
      return rise > 0 ? rise : fall < 0 ? fall : 0;
    });
    const rises = neighbourhoodMax(robust.map((v) => (v >= t ? 1 : 0)), width, full, radius);
    const roughBefore = planeResidual(dsmBefore, width, full, rule.roughnessRadiusPx);
    const roughAfter = planeResidual(dsmAfter, width, full, rule.roughnessRadiusPx);
    const above = dsmBefore.map((h, j) => (roughBefore[j] >= roughSurfaceM ? Number.NaN : h - ground[j]));
    const highest = neighbourhoodMax(above, width, full, radius);
    const skip = margin * width;
    const change = Array.from(probability, (p, i) => {
      const j = i + skip;
      const plain = Math.fround(dsmAfter[j] - offset[j] - dsmBefore[j]);
      const passes = plain >= t || plain <= -t;
      return robust[j] >= t || robust[j] <= -t || (rises[j] > 0 && plain >= t) || (p >= rule.probabilityThreshold && passes) ? 1 : 0;
    });
    const roughness = change.map((c, i) => (c ? (Math.fround(dsmAfter[i + skip] - offset[i + skip] - dsmBefore[i + skip]) < 0 ? roughBefore : roughAfter)[i + skip] : Number.NaN));
    const nearBuilding = change.map((_, i) => (highest[i + skip] > rule.buildingHeightM ? 1 : 0));
    return { change, roughness, nearBuilding };
  }

  it('gives the same changes, and the same roughness and near-building marks where the vectorizer reads them', () => {
    let seed = 11;
    const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    for (let trial = 0; trial < 20; trial++) {
      const [w, height, margin] = [40 + Math.floor(random() * 30), 8 + Math.floor(random() * 12), fusionMargin(rule)];
      const n = w * (height + 2 * margin);
      const dsmBefore = Float32Array.from({ length: n }, () => 10 + 0.3 * random());
      const dsmAfter = Float32Array.from({ length: n }, () => 10 + 0.3 * random());
      // houses, sheds and crowns: before only, after only, or moved 2 px
      for (let box = 0; box < 8; box++) {
        const [x0, y0, bw, bh, top, kind, rough] = [random() * w, random() * n / w, 2 + random() * 12, 2 + random() * 12, 10 + 9 * random(), random(), random() < 0.3];
        for (let y = Math.floor(y0); y < Math.min(n / w, y0 + bh); y++) {
          for (let x = Math.floor(x0); x < Math.min(w - 2, x0 + bw); x++) {
            const h = top + (rough ? 2 * random() : 0);
            if (kind < 0.4) dsmBefore[y * w + x] = h;
            else if (kind < 0.8) dsmAfter[y * w + x] = h;
            else [dsmBefore[y * w + x], dsmAfter[y * w + x + 2]] = [h, h];
          }
        }
      }
      for (let j = 0; j < n; j++) if (random() < 0.01) (random() < 0.5 ? dsmBefore : dsmAfter)[j] = Number.NaN;
      const rasters = {
        y0: 0, width: w, height, margin, dsmBefore, dsmAfter,
        offset: new Float32Array(n).fill(0.5 * random()),
        ground: new Float32Array(n).fill(10),
        probability: Float32Array.from({ length: w * height }, () => random()),
      };
      const strip = fuseStrip(rasters, rule);
      const expected = definition(rasters);
      expect([...strip.change], `trial ${trial}`).toEqual(expected.change);
      for (let i = 0; i < strip.change.length; i++) {
        if (strip.change[i]) {
          if (Number.isNaN(expected.roughness[i])) expect(strip.roughness[i]).toBeNaN();
          else expect(strip.roughness[i], `roughness at ${i}, trial ${trial}`).toBeCloseTo(expected.roughness[i], 4);
        }
        const x = i % w;
        const changedBeside = (x > 0 && strip.change[i - 1]) || (x < w - 1 && strip.change[i + 1]) || strip.change[i - w] || strip.change[i + w];
        if ((!strip.change[i] && changedBeside) || i < w || i >= strip.change.length - w) {
          expect(strip.nearBuilding[i], `near building at ${i}, trial ${trial}`).toBe(expected.nearBuilding[i]);
        }
      }
    }
  });
});
