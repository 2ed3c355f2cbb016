/**
 * Rasterises the scene model for one block of one flight: for every pixel, the elevation of the
 * visible surface and the object it belongs to. Pixels map to scene points through the flight's
 * misregistration shift, so the second flight's rasters are offset as a real pair would be.
 */
import { boxesExtent, insideBoxes, type Bounds, type Box } from './geometry.js';
import { leafCover } from './flights.js';
import { fbm, valueNoise } from './random.js';
import type { BucketIndex } from './spatial.js';
import { structureTop } from './surface.js';
import { terrainElevation } from './terrain.js';
import type { Car, Epoch, GroundPatch, Scene, SceneObject, Structure, Tree } from './types.js';
import { vehicleTop } from './vehicles.js';

/** A pixel window of the orthophoto grid (may extend past the raster edges). */
export interface PixelRegion {
  readonly x0: number;
  readonly y0: number;
  readonly width: number;
  readonly height: number;
}

/** Surface elevation and owning object of every pixel of a region. */
export interface BlockSurface {
  readonly region: PixelRegion;
  readonly epoch: Epoch;
  /** Absolute elevation of the visible surface, metres. */
  readonly z: Float32Array;
  /** Terrain elevation, metres. */
  readonly terrain: Float32Array;
  /** Index into `objects` of the object seen at each pixel, -1 for bare ground. */
  readonly owner: Int32Array;
  readonly objects: readonly SceneObject[];
}

/** Maps pixels of a flight to scene coordinates (pixel centres). */
export interface PixelMapping {
  readonly gsd: number;
  /** Scene x of pixel column 0's left edge and scene y of row 0's top edge. */
  readonly left: number;
  readonly top: number;
}

/** The pixel-to-scene mapping of a flight at the scene's GSD (or a multiple of it). */
export function pixelMapping(scene: Scene, epoch: Epoch, gsd = scene.gsd): PixelMapping {
  const [sx, sy] = scene.flights[epoch].shift;
  return { gsd, left: -sx, top: scene.extent - sy };
}

/** Rasterises the objects near `region` for `epoch`; `reach` (m) also lists objects that far outside it. */
export function rasterizeBlock(scene: Scene, index: BucketIndex<SceneObject>, epoch: Epoch, region: PixelRegion, reach = 0): BlockSurface {
  const map = pixelMapping(scene, epoch);
  const { width, height } = region;
  const terrain = terrainGrid(scene, map, region);
  const z = Float32Array.from(terrain);
  const owner = new Int32Array(width * height).fill(-1);
  const bounds: Bounds = [
    map.left + region.x0 * map.gsd - reach,
    map.top - (region.y0 + height) * map.gsd - reach,
    map.left + (region.x0 + width) * map.gsd + reach,
    map.top - region.y0 * map.gsd + reach,
  ];
  const objects = index.query(bounds).filter((o) => o.presence[epoch]);
  const surface: BlockSurface = { region, epoch, z, terrain, owner, objects };
  objects.forEach((object, i) => {
    if (object.kind === 'tree') paintTree(surface, map, object, i, scene.seed, object.evergreen ? 1 : leafCover[scene.flights[epoch].season]);
    else paintFramed(surface, map, object, i);
  });
  return surface;
}

/** Terrain elevation of each pixel, interpolated from samples every 8 pixels of the whole raster. */
function terrainGrid(scene: Scene, map: PixelMapping, region: PixelRegion): Float32Array {
  const step = 8;
  const i0 = Math.floor(region.x0 / step);
  const j0 = Math.floor(region.y0 / step);
  const across = Math.ceil((region.x0 + region.width) / step) - i0 + 1;
  const down = Math.ceil((region.y0 + region.height) / step) - j0 + 1;
  const samples = new Float64Array(across * down);
  for (let j = 0; j < down; j++) {
    for (let i = 0; i < across; i++) {
      samples[j * across + i] = terrainElevation(scene.terrain, map.left + ((i0 + i) * step + 0.5) * map.gsd, map.top - ((j0 + j) * step + 0.5) * map.gsd);
    }
  }
  const out = new Float32Array(region.width * region.height);
  for (let row = 0; row < region.height; row++) {
    const fy = (region.y0 + row) / step - j0;
    const j = Math.floor(fy);
    const ty = fy - j;
    for (let col = 0; col < region.width; col++) {
      const fx = (region.x0 + col) / step - i0;
      const i = Math.floor(fx);
      const tx = fx - i;
      const a = samples[j * across + i];
      const b = samples[j * across + i + 1];
      const c = samples[(j + 1) * across + i];
      const d = samples[(j + 1) * across + i + 1];
      out[row * region.width + col] = (a + (b - a) * tx) * (1 - ty) + (c + (d - c) * tx) * ty;
    }
  }
  return out;
}

/** The region's pixel rows and columns covering scene bounds, clipped to the region. */
function pixelSpan(surface: BlockSurface, map: PixelMapping, object: SceneObject): [number, number, number, number] {
  const { region } = surface;
  const [bx0, by0, bx1, by1] = object.bounds;
  return [
    Math.max(0, Math.floor((bx0 - map.left) / map.gsd - 0.5) - region.x0),
    Math.max(0, Math.floor((map.top - by1) / map.gsd - 0.5) - region.y0),
    Math.min(region.width - 1, Math.ceil((bx1 - map.left) / map.gsd - 0.5) - region.x0),
    Math.min(region.height - 1, Math.ceil((map.top - by0) / map.gsd - 0.5) - region.y0),
  ];
}

/** Paints a ground patch, car or structure, stepping its local coordinates along each pixel row. */
function paintFramed(surface: BlockSurface, map: PixelMapping, object: GroundPatch | Car | Structure, i: number): void {
  const { region } = surface;
  const [c0, r0, c1, r1] = pixelSpan(surface, map, object);
  const { cx, cy, cos, sin } = object.frame;
  const du = map.gsd * cos;
  const dv = -map.gsd * sin;
  const extent: Box = object.kind === 'car' ? [-object.length / 2, -object.width / 2, object.length / 2, object.width / 2] : boxesExtent(object.footprint.boxes);
  for (let row = r0; row <= r1; row++) {
    const dy = map.top - (region.y0 + row + 0.5) * map.gsd - cy;
    const dx = map.left + (region.x0 + c0 + 0.5) * map.gsd - cx;
    const u0 = dx * cos + dy * sin;
    const v0 = -dx * sin + dy * cos;
    // Columns where the row crosses the object's local extent (long rotated roads cross few).
    const [from, to] = crossing(u0, du, extent[0], extent[2], crossing(v0, dv, extent[1], extent[3], [0, c1 - c0]));
    for (let n = from; n <= to; n++) {
      const u = u0 + n * du;
      const v = v0 + n * dv;
      const k = row * region.width + c0 + n;
      if (object.kind === 'ground') paintGround(surface, object, u, v, k, i);
      else if (object.kind === 'car') paintCar(surface, object, u, v, k, i);
      else paintStructure(surface, object, u, v, k, i);
    }
  }
}

/** Narrows steps [from, to] to those where start + n * step lies within [min, max] (one step of slack). */
function crossing(start: number, step: number, min: number, max: number, [from, to]: [number, number]): [number, number] {
  if (Math.abs(step) < 1e-12) return start >= min - 1e-9 && start <= max + 1e-9 ? [from, to] : [1, 0];
  const a = (min - start) / step;
  const b = (max - start) / step;
  return [Math.max(from, Math.floor(Math.min(a, b)) - 1), Math.min(to, Math.ceil(Math.max(a, b)) + 1)];
}

function paintGround(surface: BlockSurface, patch: GroundPatch, u: number, v: number, k: number, i: number): void {
  if (!insideBoxes(patch.footprint.boxes, u, v)) return;
  surface.owner[k] = i;
  surface.z[k] = surface.terrain[k] + patch.raise;
}

function paintCar(surface: BlockSurface, car: Car, u: number, v: number, k: number, i: number): void {
  const top = vehicleTop(car, u, v);
  if (top < 0) return;
  surface.owner[k] = i;
  surface.z[k] = car.groundZ + top;
}

function paintStructure(surface: BlockSurface, s: Structure, u: number, v: number, k: number, i: number): void {
  const top = structureTop(s, u, v);
  if (top < 0) return;
  const z = s.groundZ + top;
  if (z < surface.z[k] - 0.05) return;
  surface.owner[k] = i;
  surface.z[k] = z;
}

/** Canopy elevation of a tree at a scene point, or -Infinity outside its crown. */
function canopyElevation(tree: Tree, epoch: Epoch, x: number, y: number, seed: number): number {
  const e = epoch === 'before' ? 0 : 1;
  const dx = x - tree.x;
  const dy = y - tree.y;
  const radius = tree.radius[e] * (0.8 + 0.35 * fbm(x / 1.6, y / 1.6, seed + tree.id, 2));
  const r2 = (dx * dx + dy * dy) / (radius * radius);
  if (r2 >= 1) return -Infinity;
  const crown = tree.height[e] * (0.5 + 0.5 * Math.sqrt(1 - r2));
  return tree.groundZ + crown + 0.8 * (valueNoise(x / 0.7, y / 0.7, seed + 3) - 0.5);
}

function paintTree(surface: BlockSurface, map: PixelMapping, tree: Tree, i: number, seed: number, cover: number): void {
  const { region } = surface;
  const [c0, r0, c1, r1] = pixelSpan(surface, map, tree);
  for (let row = r0; row <= r1; row++) {
    const y = map.top - (region.y0 + row + 0.5) * map.gsd;
    for (let col = c0; col <= c1; col++) {
      const x = map.left + (region.x0 + col + 0.5) * map.gsd;
      if (cover < 1 && valueNoise(x / 0.3, y / 0.3, seed + tree.id) > cover) continue;
      const z = canopyElevation(tree, surface.epoch, x, y, seed);
      const k = row * region.width + col;
      if (z <= surface.z[k]) continue;
      surface.owner[k] = i;
      surface.z[k] = z;
    }
  }
}
