/**
 * The height of each structure's top at a point, shared by the rasteriser and the truth
 * measurements: flat roofs with parapets, gable roofs, steel-sheet sheds, tanks and solar heaters.
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
  if (s.rise > 0) return top + s.rise * (1 - Math.abs(acrossRidge(s, u, v)));
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
