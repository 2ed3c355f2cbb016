/**
 * New buildings caught part-way (a change, kind new_building): the site cleared to bare soil with
 * materials piled on it, a foundation slab poured, or a concrete column frame with its beams
 * standing on the slab, one or two floors high.
 */
import { afterOnly, type Parcel, type SceneBuilder } from './builder.js';
import type { ChangeFootprint } from './change-recipes.js';
import { childFrame, rectangle, type Frame } from './geometry.js';
import { floorHeight } from './layout-house.js';
import type { Rgb, Structure } from './types.js';

/** How far a new building had got by the second flight. */
export type ConstructionStage = 'soil' | 'slab' | 'frame';

const concrete: Rgb = [178, 176, 170];

/** Starts a building on a vacant plot and leaves it at `stage`; the footprint is the site (soil) or the slab. */
export function startConstruction(b: SceneBuilder, parcel: Parcel, stage: ConstructionStage): ChangeFootprint | null {
  const rng = b.rng;
  const w = Math.min(parcel.width - 1.2, rng.range(7, 12));
  const d = Math.min(parcel.depth - 1.2, rng.range(7, 12));
  if (w < 5 || d < 5) return null;
  const frame = childFrame(parcel.frame, rng.range(-(parcel.width - w) / 2, (parcel.width - w) / 2) * 0.8, rng.range(-(parcel.depth - d) / 2, (parcel.depth - d) / 2) * 0.8);
  // Trampled, dug-over soil round the works.
  b.ground('construction', frame, rectangle(w + 1, d + 1), 5, { presence: afterOnly });
  if (stage === 'soil') {
    const piles = materialPiles(b, frame, w, d);
    return piles.length ? { frame, footprint: rectangle(w, d), built: piles } : null;
  }
  const slab = b.structure({ use: 'foundation', frame, footprint: rectangle(w, d), height: rng.range(0.3, 0.6), roof: 'slab', colour: concrete, presence: afterOnly });
  if (!slab) return null;
  const built = stage === 'frame' ? [slab, ...columnFrame(b, frame, w, d, slab.height, rng.int(1, 2))] : [slab];
  return { frame, footprint: rectangle(w, d), built };
}

/** Piles of sand, gravel and bricks on the cleared site. */
function materialPiles(b: SceneBuilder, frame: Frame, w: number, d: number): Structure[] {
  const rng = b.rng;
  const piles: Structure[] = [];
  for (let i = rng.int(2, 5); i > 0; i--) {
    const [pw, pd] = [rng.range(1, 2.5), rng.range(1, 2.5)];
    const colour = rng.pick<Rgb>([[196, 176, 136], [150, 146, 140], [164, 92, 70]]);
    const pile = b.structure({
      use: 'clutter', frame: childFrame(frame, rng.range(-w / 2 + pw / 2, w / 2 - pw / 2), rng.range(-d / 2 + pd / 2, d / 2 - pd / 2), rng.range(0, 1.5)),
      footprint: rectangle(pw, pd), height: rng.range(0.4, 1.1), roof: 'flat', colour, presence: afterOnly,
    });
    if (pile) piles.push(pile);
  }
  return piles;
}

/** Columns on a grid of about 3.6 m and the beams joining their tops, on a slab `base` high. */
function columnFrame(b: SceneBuilder, frame: Frame, w: number, d: number, base: number, floors: number): Structure[] {
  const rng = b.rng;
  const height = floors * floorHeight;
  const [nu, nv] = [Math.max(1, Math.round((w - 0.5) / 3.6)), Math.max(1, Math.round((d - 0.5) / 3.6))];
  const us = Array.from({ length: nu + 1 }, (_, i) => -w / 2 + 0.25 + (i * (w - 0.5)) / nu);
  const vs = Array.from({ length: nv + 1 }, (_, j) => -d / 2 + 0.25 + (j * (d - 0.5)) / nv);
  const parts: (Structure | null)[] = [];
  const part = (use: 'column' | 'beam', u: number, v: number, pw: number, pd: number, from: number, tall: number) =>
    parts.push(b.structure({ use, frame: childFrame(frame, u, v), footprint: rectangle(pw, pd), height: tall, base: from, roof: 'slab', colour: concrete, presence: afterOnly }));
  for (const u of us) for (const v of vs) part('column', u, v, 0.45, 0.45, base, height);
  const beam = rng.range(0.3, 0.4);
  for (const u of us) part('beam', u, 0, beam, d - 0.5, base + height - 0.6, 0.6);
  for (const v of vs) part('beam', 0, v, w - 0.5, beam, base + height - 0.6, 0.6);
  return parts.filter((p): p is Structure => p !== null);
}
