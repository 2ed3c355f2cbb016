/**
 * Measures each true change on the scene model: area, and the mean and largest height change
 * over its footprint (after minus before, structures only; negative for demolitions).
 */
import { pointInPolygon, polygonArea, ringsBounds } from './geometry.js';
import { builtHeightAt } from './surface.js';
import type { Scene, SceneChange, SceneObject } from './types.js';

/** Measurements of a change over its footprint. */
export interface ChangeMeasure {
  areaM2: number;
  heightChangeM: number;
  heightChangeMaxM: number;
  heightAfterM: number;
}

/** Samples the footprint on a 0.2 m lattice and compares built heights before and after. */
export function measureChange(scene: Scene, change: SceneChange): ChangeMeasure {
  const bounds = ringsBounds(change.rings);
  const nearby: SceneObject[] = scene.objects.filter(
    (o) => (o.kind === 'structure' || o.kind === 'ground') && o.bounds[0] < bounds[2] && bounds[0] < o.bounds[2] && o.bounds[1] < bounds[3] && bounds[1] < o.bounds[3],
  );
  const step = 0.2;
  let n = 0;
  let sum = 0;
  let sumAfter = 0;
  let largest = 0;
  for (let y = bounds[1] + step / 2; y < bounds[3]; y += step) {
    for (let x = bounds[0] + step / 2; x < bounds[2]; x += step) {
      if (!pointInPolygon(change.rings, x, y)) continue;
      const after = builtHeightAt(nearby, 'after', x, y);
      const delta = after - builtHeightAt(nearby, 'before', x, y);
      n += 1;
      sum += delta;
      sumAfter += after;
      if (Math.abs(delta) > Math.abs(largest)) largest = delta;
    }
  }
  return { areaM2: polygonArea(change.rings), heightChangeM: n ? sum / n : 0, heightChangeMaxM: largest, heightAfterM: n ? sumAfter / n : 0 };
}
