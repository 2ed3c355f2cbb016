/**
 * The height of each structure's top at a point, shared by the rasteriser and the truth
 * measurements: flat roofs with parapets, gable, hip and mono-pitch roofs, tanks and solar heaters.
 */
import { boxesExtent, insideBoxes, toLocal } from './geometry.js';
import type { Epoch, SceneObject, Structure } from './types.js';

/** Parapet wall thickness and height above a flat roof, metres. */
export const parapet = { thickness: 0.3, height: 1.0 };

/** Whether local (u, v) is within `distance` of the footprint's outline. */
export function nearOutline(s: Structure, u: number, v: number, distance: number): boolean {
  const boxes = s.footprint.boxes;
  return (
    !insideBoxes(boxes, u - distance, v) ||
    !insideBoxes(boxes, u + distance, v) ||
    !insideBoxes(boxes, u, v - distance) ||
    !insideBoxes(boxes, u, v + distance)
  );
}

/** Position across a pitched roof: -1 at one eave, 0 at the ridge, 1 at the other eave. */
export function acrossRidge(s: Structure, u: number, v: number): number {
  const [u0, v0, u1, v1] = boxesExtent(s.footprint.boxes);
  return s.ridgeAlongU ? (2 * (v - v0)) / (v1 - v0) - 1 : (2 * (u - u0)) / (u1 - u0) - 1;
}

/** Share (0-1) of the rise at local (u, v) of a pitched roof: 1 on the ridge (or the high eave of a mono-pitch roof). */
function pitchShare(s: Structure, u: number, v: number): number {
  const t = acrossRidge(s, u, v);
  if (s.pitch === 'mono') return (t + 1) / 2;
  if (s.pitch === 'gable') return 1 - Math.abs(t);
  // Hip: the ends slope as steeply as the sides, so the ridge stops half a span short of each end.
  const [u0, v0, u1, v1] = boxesExtent(s.footprint.boxes);
  const [along, from, to, span] = s.ridgeAlongU ? [u, u0, u1, v1 - v0] : [v, v0, v1, u1 - u0];
  return Math.max(0, Math.min(1 - Math.abs(t), (2 * Math.min(along - from, to - along)) / span));
}

/** The direct-light share (1 for flat ground) of a structure's top at local (u, v), from its slope there. */
export function roofLight(s: Structure, u: number, v: number, sun: { x: number; y: number; z: number }): number {
  if (s.rise <= 0) return 1;
  const e = 0.03;
  const du = (structureTop(s, u + e, v) - structureTop(s, u - e, v)) / (2 * e);
  const dv = (structureTop(s, u, v + e) - structureTop(s, u, v - e)) / (2 * e);
  // Off the roof at one side the difference is meaningless: use the one-sided slope instead.
  const gu = Math.abs(du) > 3 ? 0 : du;
  const gv = Math.abs(dv) > 3 ? 0 : dv;
  const nx = -(gu * s.frame.cos - gv * s.frame.sin);
  const ny = -(gu * s.frame.sin + gv * s.frame.cos);
  const dot = (nx * sun.x + ny * sun.y + sun.z) / Math.hypot(nx, ny, 1);
  return Math.min(1.45, Math.max(0.05, dot) / sun.z);
}

/** Height above the structure's ground of its top at local (u, v), or -1 outside it. */
export function structureTop(s: Structure, u: number, v: number): number {
  if (s.round) {
    const r = (s.footprint.boxes[0][2] - s.footprint.boxes[0][0]) / 2;
    return u * u + v * v < r * r ? s.base + s.height : -1;
  }
  if (!insideBoxes(s.footprint.boxes, u, v)) return -1;
  const top = s.base + s.height;
  if (s.roof === 'solar') {
    const [, v0, , v1] = s.footprint.boxes[0];
    return s.base + 0.35 + (s.height - 0.35) * ((v - v0) / (v1 - v0));
  }
  if (s.rise > 0) return top + s.rise * pitchShare(s, u, v);
  if (s.parapet && nearOutline(s, u, v, parapet.thickness)) return top + parapet.height;
  return top;
}

/** Height above ground of the tallest structure (or rubble) present on a flight at scene point (x, y). */
export function builtHeightAt(objects: readonly SceneObject[], epoch: Epoch, x: number, y: number): number {
  let height = 0;
  for (const o of objects) {
    if (!o.presence[epoch]) continue;
    if (o.kind === 'structure') {
      const [u, v] = toLocal(o.frame, x, y);
      height = Math.max(height, structureTop(o, u, v));
    } else if (o.kind === 'ground' && o.raise > 0 && o.material === 'rubble') {
      const [u, v] = toLocal(o.frame, x, y);
      if (insideBoxes(o.footprint.boxes, u, v)) height = Math.max(height, o.raise);
    }
  }
  return height;
}
