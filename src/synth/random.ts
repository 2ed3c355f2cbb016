/**
 * Seeded random numbers for laying out a scene, and noise that is a pure function of world
 * coordinates and a seed, so that blocks rendered separately agree at their borders.
 */

/** A seeded stream of random numbers (sfc32); the same seed gives the same stream. */
export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform in [min, max). */
  range(min: number, max: number): number;
  /** Integer in [min, max], both included. */
  int(min: number, max: number): number;
  /** True with probability p. */
  chance(p: number): boolean;
  /** One of the items, uniformly. */
  pick<T>(items: readonly T[]): T;
  /** One of the items, with the given relative weights. */
  weighted<T>(items: readonly (readonly [T, number])[]): T;
  /** Normally distributed. */
  normal(mean: number, sd: number): number;
}

/** A random stream for a seed; `stream` separates independent streams of one seed. */
export function createRandom(seed: number, stream = 0): Random {
  let a = hashInt(seed, stream, 0x9e3779b9);
  let b = hashInt(seed, stream, 0x243f6a88);
  let c = hashInt(seed, stream, 0xb7e15162);
  let d = 1;
  const next = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 12; i++) next();
  const range = (min: number, max: number) => min + (max - min) * next();
  return {
    next,
    range,
    int: (min, max) => Math.min(max, Math.floor(range(min, max + 1))),
    chance: (p) => next() < p,
    pick: (items) => items[Math.min(items.length - 1, Math.floor(next() * items.length))],
    weighted(items) {
      const total = items.reduce((sum, [, w]) => sum + w, 0);
      let r = next() * total;
      for (const [item, w] of items) {
        r -= w;
        if (r < 0) return item;
      }
      return items[items.length - 1][0];
    },
    normal: (mean, sd) => mean + sd * Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next()),
  };
}

/** A 32-bit hash of three integers (murmur3 finaliser). */
export function hashInt(x: number, y: number, seed: number): number {
  let h = Math.imul(x | 0, 0x27d4eb2d) ^ Math.imul(y | 0, 0x165667b1) ^ Math.imul(seed | 0, 0x9e3779b1);
  h = Math.imul(h ^ (h >>> 15), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** A hash of a lattice point, uniform in [0, 1). */
export function hash2(x: number, y: number, seed: number): number {
  return hashInt(x, y, seed) / 4294967296;
}

/** Smooth value noise in [0, 1) at (x, y), with lattice spacing 1. */
export function valueNoise(x: number, y: number, seed: number): number {
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  const fx = x - x0;
  const fy = y - y0;
  const sx = fx * fx * (3 - 2 * fx);
  const sy = fy * fy * (3 - 2 * fy);
  const a = hash2(x0, y0, seed);
  const b = hash2(x0 + 1, y0, seed);
  const c = hash2(x0, y0 + 1, seed);
  const d = hash2(x0 + 1, y0 + 1, seed);
  const top = a + (b - a) * sx;
  return top + (c + (d - c) * sx - top) * sy;
}

/** Fractal value noise in [0, 1): `octaves` layers, each twice the frequency and half the weight. */
export function fbm(x: number, y: number, seed: number, octaves: number): number {
  let sum = 0;
  let weight = 0.5;
  let total = 0;
  let frequency = 1;
  for (let i = 0; i < octaves; i++) {
    sum += weight * valueNoise(x * frequency + i * 17.3, y * frequency - i * 9.1, seed + i * 101);
    total += weight;
    weight *= 0.5;
    frequency *= 2.03;
  }
  return sum / total;
}

/** Distance to the nearest of jittered lattice points (cellular noise), in lattice units. */
export function cellNoise(x: number, y: number, seed: number): number {
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  let best = 9;
  for (let j = -1; j <= 1; j++) {
    for (let i = -1; i <= 1; i++) {
      const h = hashInt(x0 + i, y0 + j, seed);
      const px = x0 + i + (h & 0xffff) / 65536;
      const py = y0 + j + (h >>> 16) / 65536;
      const d = (px - x) * (px - x) + (py - y) * (py - y);
      if (d < best) best = d;
    }
  }
  return Math.sqrt(best);
}
