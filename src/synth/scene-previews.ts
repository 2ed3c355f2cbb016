/**
 * The preview PNGs of a scene (written with --preview): `preview/orthophotos.png` (before | after),
 * `preview/dsm-hillshade.png` (before | after) and `preview/truth.png` (change outlines, coloured by
 * kind, and approved plans in white, over the after orthophoto).
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { dsmFactor, nodata } from './dsm.js';
import type { Ring } from './geometry.js';
import type { CoreWindow } from './ortho.js';
import { Downsampler, drawOutlines, hillshade, toBytes, writePng, writeSideBySide } from './preview.js';
import type { Epoch, Scene } from './types.js';

/** Accumulates downsampled copies of the rendered blocks and writes the preview PNGs. */
export class ScenePreviews {
  private readonly ortho: Record<Epoch, Downsampler>;
  private readonly dsm: Record<Epoch, Downsampler>;
  private readonly truthBase: Downsampler;

  constructor(private readonly scene: Scene) {
    const { size } = scene;
    const half = Math.max(1, Math.ceil(size / 1024));
    const heightHalf = Math.max(1, Math.ceil(size / dsmFactor / 1024));
    this.ortho = { before: new Downsampler(size, size, half, 3), after: new Downsampler(size, size, half, 3) };
    this.dsm = {
      before: new Downsampler(size / dsmFactor, size / dsmFactor, heightHalf, 1, nodata),
      after: new Downsampler(size / dsmFactor, size / dsmFactor, heightHalf, 1, nodata),
    };
    this.truthBase = new Downsampler(size, size, Math.max(1, Math.ceil(size / 2048)), 3);
  }

  /** Adds a rendered block: its RGB pixels and DSM heights. */
  add(epoch: Epoch, rgb: Uint8Array, heights: Float32Array, core: CoreWindow): void {
    this.ortho[epoch].add(rgb, core.x, core.y, core.width, core.height);
    this.dsm[epoch].add(heights, core.x / dsmFactor, core.y / dsmFactor, core.width / dsmFactor, core.height / dsmFactor);
    if (epoch === 'after') this.truthBase.add(rgb, core.x, core.y, core.width, core.height);
  }

  /** Writes the three PNGs under `outDir/preview`; returns their paths. */
  async write(outDir: string): Promise<string[]> {
    const dir = join(outDir, 'preview');
    await mkdir(dir, { recursive: true });
    const paths = [join(dir, 'orthophotos.png'), join(dir, 'dsm-hillshade.png'), join(dir, 'truth.png')];
    const image = (d: Downsampler, data: Uint8Array) => ({ data, width: d.width, height: d.height });
    await writeSideBySide(paths[0], [image(this.ortho.before, toBytes(this.ortho.before.means())), image(this.ortho.after, toBytes(this.ortho.after.means()))]);
    const cell = this.scene.gsd * dsmFactor * this.dsm.before.factor;
    const shade = (d: Downsampler) => image(d, hillshade(d.means(), d.width, d.height, cell));
    await writeSideBySide(paths[1], [shade(this.dsm.before), shade(this.dsm.after)]);
    await this.writeTruth(paths[2]);
    return paths;
  }

  private async writeTruth(path: string): Promise<void> {
    const base = this.truthBase;
    const data = toBytes(base.means());
    const { extent, gsd, flights } = this.scene;
    const [sx, sy] = flights.after.shift;
    const toPixels = (rings: readonly Ring[], shifted: boolean): Ring[] =>
      rings.map((ring) => ring.map(([x, y]): [number, number] => [((x + (shifted ? sx : 0)) / gsd) / base.factor, ((extent - y - (shifted ? sy : 0)) / gsd) / base.factor]));
    for (const plan of this.scene.plans) drawOutlines(data, base.width, base.height, toPixels(plan.rings, false), 'plan');
    for (const change of this.scene.changes) drawOutlines(data, base.width, base.height, toPixels(change.rings, true), change.changeKind);
    await writePng(path, data, base.width, base.height);
  }
}
