/**
 * The camera and processing of a flight, applied to the lit scene: lens and motion blur, white
 * balance, gamma, saturation, bluish haze, uneven exposure and brightness steps between the photos
 * of the mosaic, sensor noise, and in some flights JPEG artefacts (8x8 block quantisation, 2x2
 * chroma subsampling). Every step depends only on a pixel's place in the whole raster (JPEG blocks
 * lie on its 16-pixel grid, render blocks on a 512-pixel one), so blocks agree.
 */
import { photoAt } from './lean.js';
import type { CoreWindow } from './ortho.js';
import { fbm, hash2, hashInt } from './random.js';
import { pixelMapping, type BlockSurface } from './rasterize.js';
import type { Scene } from './types.js';

/** 8-bit RGB of the core window from `lit` (linear light, the core plus a 1-pixel margin). */
export function develop(scene: Scene, surface: BlockSurface, lit: Float32Array, core: CoreWindow): Uint8Array {
  const flight = scene.flights[surface.epoch];
  const seed = scene.seed + (surface.epoch === 'before' ? 1000 : 2000);
  const map = pixelMapping(scene, surface.epoch);
  const w = core.width + 2;
  const out = new Uint8Array(core.width * core.height * 3);
  // Auto-exposure: with a low sun more of the frame is in shadow, and the camera opens up.
  const autoExposure = 1 / (0.85 + 0.15 * Math.sin((flight.sunElevation * Math.PI) / 180) / Math.sin(Math.PI / 3));
  const curve = toneCurve(flight.gain, flight.gamma, flight.haze);
  // Blur: a 3x3 kernel from nearly sharp to about a pixel wide.
  const edge = 0.08 + 0.1 * flight.blur;
  const corner = 0.02 + 0.06 * flight.blur;
  const centre = 1 - 4 * edge - 4 * corner;
  let exposure = 1;
  for (let row = 0; row < core.height; row++) {
    const gy = surface.region.y0 + core.y + row;
    const y = map.top - (gy + 0.5) * map.gsd;
    for (let col = 0; col < core.width; col++) {
      const gx = surface.region.x0 + core.x + col;
      if (col % 16 === 0) {
        const [pi, pj] = photoAt(scene, map.left + (gx + 0.5) * map.gsd, y, surface.epoch);
        exposure = (0.95 + 0.1 * fbm(gx / 900, gy / 900, seed + 5, 2)) * (1 + flight.seams * (hash2(pi, pj, seed + 6) - 0.5));
      }
      const bits = hashInt(gx, gy, seed);
      const luma = ((bits & 0xff) / 255 - 0.5) * 2 * flight.noise;
      const at = ((row + 1) * w + col + 1) * 3;
      const blurred = [0, 0, 0];
      for (let c = 0; c < 3; c++) {
        const k = at + c;
        blurred[c] =
          centre * lit[k] +
          edge * (lit[k - 3] + lit[k + 3] + lit[k - w * 3] + lit[k + w * 3]) +
          corner * (lit[k - w * 3 - 3] + lit[k - w * 3 + 3] + lit[k + w * 3 - 3] + lit[k + w * 3 + 3]);
      }
      const grey = (blurred[0] + blurred[1] + blurred[2]) / 3;
      for (let c = 0; c < 3; c++) {
        const saturated = grey + (blurred[c] - grey) * flight.saturation;
        const v = Math.max(0, Math.min(511, Math.round(saturated * exposure * autoExposure * 2)));
        const noise = luma + (((bits >>> (8 + 8 * c)) & 0xff) / 255 - 0.5) * 0.8 * flight.noise;
        out[(row * core.width + col) * 3 + c] = Math.max(0, Math.min(255, Math.round(curve[c * 512 + v] + noise)));
      }
    }
  }
  if (flight.jpegQuality !== null) jpegArtefacts(out, core.width, core.height, flight.jpegQuality);
  return out;
}

/** Output level for each channel and half-level of input: gain, gamma and haze (more in the blue). */
function toneCurve(gain: readonly number[], gamma: number, haze: number): Float32Array {
  const curve = new Float32Array(3 * 512);
  const tint = [0.9, 1, 1.15];
  for (let c = 0; c < 3; c++) {
    for (let i = 0; i < 512; i++) {
      const v = Math.min(1, (i / 2 / 255) * gain[c]);
      curve[c * 512 + i] = 255 * Math.pow(v, gamma) + haze * tint[c] * (1 - v);
    }
  }
  return curve;
}

/** JPEG quantisation tables (ITU T.81 Annex K) for luma and chroma, in natural order. */
const lumaTable = [16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51, 87, 80, 62, 18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92, 49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99];
const chromaTable = [17, 18, 24, 47, 99, 99, 99, 99, 18, 21, 26, 66, 99, 99, 99, 99, 24, 26, 56, 99, 99, 99, 99, 99, 47, 66, 99, 99, 99, 99, 99, 99, ...new Array<number>(32).fill(99)];

/** The orthonormal 8-point DCT-II basis: basis[k * 8 + n]. */
const basis = (() => {
  const b = new Float64Array(64);
  for (let k = 0; k < 8; k++) for (let n = 0; n < 8; n++) b[k * 8 + n] = (k === 0 ? Math.SQRT1_2 : 1) * 0.5 * Math.cos(((2 * n + 1) * k * Math.PI) / 16);
  return b;
})();

/** A quantisation table scaled to a quality (1-100) as libjpeg does. */
function scaled(table: readonly number[], quality: number): Float64Array {
  const scale = quality < 50 ? 5000 / quality : 200 - 2 * quality;
  return Float64Array.from(table, (q) => Math.min(255, Math.max(1, Math.floor((q * scale + 50) / 100))));
}

/** Compresses and decompresses RGB pixels (width and height multiples of 16) in place. */
export function jpegArtefacts(rgb: Uint8Array, width: number, height: number, quality: number): void {
  const [qLuma, qChroma] = [scaled(lumaTable, quality), scaled(chromaTable, quality)];
  const y = new Float64Array(256);
  const cb = new Float64Array(64);
  const cr = new Float64Array(64);
  const block = new Float64Array(64);
  for (let my = 0; my < height; my += 16) {
    for (let mx = 0; mx < width; mx += 16) {
      cb.fill(0);
      cr.fill(0);
      for (let j = 0; j < 16; j++) {
        for (let i = 0; i < 16; i++) {
          const o = ((my + j) * width + mx + i) * 3;
          const [r, g, b] = [rgb[o], rgb[o + 1], rgb[o + 2]];
          y[j * 16 + i] = 0.299 * r + 0.587 * g + 0.114 * b - 128;
          const c = (j >> 1) * 8 + (i >> 1);
          cb[c] += (-0.168736 * r - 0.331264 * g + 0.5 * b) / 4;
          cr[c] += (0.5 * r - 0.418688 * g - 0.081312 * b) / 4;
        }
      }
      for (let by = 0; by < 16; by += 8) {
        for (let bx = 0; bx < 16; bx += 8) {
          for (let j = 0; j < 8; j++) for (let i = 0; i < 8; i++) block[j * 8 + i] = y[(by + j) * 16 + bx + i];
          quantise(block, qLuma);
          for (let j = 0; j < 8; j++) for (let i = 0; i < 8; i++) y[(by + j) * 16 + bx + i] = block[j * 8 + i];
        }
      }
      quantise(cb, qChroma);
      quantise(cr, qChroma);
      for (let j = 0; j < 16; j++) {
        for (let i = 0; i < 16; i++) {
          const o = ((my + j) * width + mx + i) * 3;
          const l = y[j * 16 + i] + 128;
          const c = (j >> 1) * 8 + (i >> 1);
          rgb[o] = clampByte(l + 1.402 * cr[c]);
          rgb[o + 1] = clampByte(l - 0.344136 * cb[c] - 0.714136 * cr[c]);
          rgb[o + 2] = clampByte(l + 1.772 * cb[c]);
        }
      }
    }
  }
}

const tmp = new Float64Array(64);
const coef = new Float64Array(64);

/** Forward DCT, quantisation by `table`, and inverse DCT of an 8x8 block, in place. */
function quantise(block: Float64Array, table: Float64Array): void {
  for (let k = 0; k < 8; k++) for (let j = 0; j < 8; j++) {
    let s = 0;
    for (let n = 0; n < 8; n++) s += basis[k * 8 + n] * block[j * 8 + n];
    tmp[j * 8 + k] = s;
  }
  for (let l = 0; l < 8; l++) for (let k = 0; k < 8; k++) {
    let s = 0;
    for (let n = 0; n < 8; n++) s += basis[l * 8 + n] * tmp[n * 8 + k];
    coef[l * 8 + k] = Math.round(s / table[l * 8 + k]) * table[l * 8 + k];
  }
  for (let n = 0; n < 8; n++) for (let k = 0; k < 8; k++) {
    let s = 0;
    for (let l = 0; l < 8; l++) s += basis[l * 8 + n] * coef[l * 8 + k];
    tmp[n * 8 + k] = s;
  }
  for (let j = 0; j < 8; j++) for (let n = 0; n < 8; n++) {
    let s = 0;
    for (let k = 0; k < 8; k++) s += basis[k * 8 + n] * tmp[j * 8 + k];
    block[j * 8 + n] = s;
  }
}

function clampByte(v: number): number {
  return Math.max(0, Math.min(255, Math.round(v)));
}
