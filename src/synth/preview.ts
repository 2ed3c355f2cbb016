/**
 * Small PNG previews built while the blocks are rendered: both orthophotos side by side, DSM
 * hillshades, and the truth outlines over the second orthophoto. At most about 2048 pixels wide.
 */
import sharp from 'sharp';
import type { Ring } from './geometry.js';
import type { ChangeKind } from './types.js';

/** Box-filter downsampling of blocks into a small raster, accumulated as blocks arrive. */
export class Downsampler {
  readonly width: number;
  readonly height: number;
  private readonly sums: Float64Array;
  private readonly counts: Uint32Array;

  constructor(
    fullWidth: number,
    fullHeight: number,
    readonly factor: number,
    readonly bands: number,
    private readonly nodata: number | null = null,
  ) {
    this.width = Math.ceil(fullWidth / factor);
    this.height = Math.ceil(fullHeight / factor);
    this.sums = new Float64Array(this.width * this.height * bands);
    this.counts = new Uint32Array(this.width * this.height);
  }

  /** Adds a pixel-interleaved block whose top-left pixel is (x0, y0) in the full raster. */
  add(data: ArrayLike<number>, x0: number, y0: number, width: number, height: number): void {
    for (let row = 0; row < height; row++) {
      const ty = Math.floor((y0 + row) / this.factor);
      for (let col = 0; col < width; col++) {
        const from = (row * width + col) * this.bands;
        if (this.nodata !== null && data[from] === this.nodata) continue;
        const t = ty * this.width + Math.floor((x0 + col) / this.factor);
        this.counts[t] += 1;
        for (let b = 0; b < this.bands; b++) this.sums[t * this.bands + b] += data[from + b];
      }
    }
  }

  /** The mean of each cell (NaN where no valid pixel fell). */
  means(): Float32Array {
    const out = new Float32Array(this.sums.length);
    for (let t = 0; t < this.counts.length; t++) {
      for (let b = 0; b < this.bands; b++) out[t * this.bands + b] = this.counts[t] ? this.sums[t * this.bands + b] / this.counts[t] : NaN;
    }
    return out;
  }
}

/** Writes RGB images side by side (with a 4-pixel gap) as one PNG. */
export async function writeSideBySide(path: string, images: { data: Uint8Array; width: number; height: number }[]): Promise<void> {
  const gap = 4;
  const width = images.reduce((sum, image) => sum + image.width, 0) + gap * (images.length - 1);
  const height = Math.max(...images.map((image) => image.height));
  const canvas = new Uint8Array(width * height * 3).fill(255);
  let x0 = 0;
  for (const image of images) {
    for (let row = 0; row < image.height; row++) {
      canvas.set(image.data.subarray(row * image.width * 3, (row + 1) * image.width * 3), (row * width + x0) * 3);
    }
    x0 += image.width + gap;
  }
  await writePng(path, canvas, width, height);
}

/** Writes an RGB buffer as PNG. */
export async function writePng(path: string, data: Uint8Array, width: number, height: number): Promise<void> {
  await sharp(Buffer.from(data.buffer, data.byteOffset, data.byteLength), { raw: { width, height, channels: 3 } })
    .png({ compressionLevel: 6 })
    .toFile(path);
}

/** Mean RGB cells to bytes. */
export function toBytes(means: Float32Array): Uint8Array {
  const out = new Uint8Array(means.length);
  for (let i = 0; i < means.length; i++) out[i] = Number.isNaN(means[i]) ? 0 : Math.round(means[i]);
  return out;
}

/** Grey hillshade (sun from the north-west, 45°) of a height grid; nodata cells in red. */
export function hillshade(heights: Float32Array, width: number, height: number, cellSize: number): Uint8Array {
  const out = new Uint8Array(width * height * 3);
  const at = (x: number, y: number) => {
    const v = heights[Math.min(height - 1, Math.max(0, y)) * width + Math.min(width - 1, Math.max(0, x))];
    return Number.isNaN(v) ? heights[y * width + x] : v;
  };
  const [lx, ly, lz] = [-Math.SQRT1_2 * Math.SQRT1_2, Math.SQRT1_2 * Math.SQRT1_2, Math.SQRT1_2];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 3;
      if (Number.isNaN(heights[y * width + x])) {
        out.set([220, 40, 40], o);
        continue;
      }
      const gx = (at(x + 1, y) - at(x - 1, y)) / (2 * cellSize);
      const gy = (at(x, y - 1) - at(x, y + 1)) / (2 * cellSize);
      const shade = Math.max(0, (-gx * lx - gy * ly + lz) / Math.hypot(gx, gy, 1));
      out.fill(Math.round(40 + 200 * shade), o, o + 3);
    }
  }
  return out;
}

/** Outline colour per change kind in the truth preview. */
const kindColours: Record<ChangeKind, [number, number, number]> = {
  new_building: [255, 40, 40],
  extension: [255, 150, 0],
  rooftop_addition: [255, 0, 255],
  height_increase: [0, 200, 255],
  demolition: [255, 255, 0],
  ground_structure: [60, 255, 60],
};

/** Draws ring outlines (given in preview pixel coordinates) onto an RGB image, 2 pixels wide. */
export function drawOutlines(image: Uint8Array, width: number, height: number, rings: readonly Ring[], kind: ChangeKind | 'plan'): void {
  const colour = kind === 'plan' ? [255, 255, 255] : kindColours[kind];
  const plot = (x: number, y: number) => {
    for (const [dx, dy] of kind === 'plan' ? [[0, 0]] : [[0, 0], [1, 0], [0, 1], [1, 1]]) {
      const px = Math.round(x) + dx;
      const py = Math.round(y) + dy;
      if (px >= 0 && py >= 0 && px < width && py < height) image.set(colour, (py * width + px) * 3);
    }
  };
  for (const ring of rings) {
    for (let i = 0; i < ring.length; i++) {
      const [x0, y0] = ring[i];
      const [x1, y1] = ring[(i + 1) % ring.length];
      const steps = Math.max(1, Math.ceil(Math.hypot(x1 - x0, y1 - y0) * 2));
      for (let s = 0; s <= steps; s++) plot(x0 + ((x1 - x0) * s) / steps, y0 + ((y1 - y0) * s) / steps);
    }
  }
}
