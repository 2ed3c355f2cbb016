/**
 * Fusion: the model's change probability and the height change decide which pixels of a strip
 * changed. With DSMs, a pixel changed when its misregistration-tolerant height change passes the
 * height threshold; or when its plain height change passes it and either the model sees change
 * there or, for a rise, a tolerant rise lies within the tolerance (the tolerant change misses the
 * part of a structure built within the tolerance of a taller one: extensions, sheds against a
 * house; growing from what it found restores that part, while the false edges of an unchanged
 * building that moved between flights have nothing to grow from; falls are not grown, since
 * demolitions are large and trees shedding leaves would only grow). The model then
 * vouches for whole regions (see classify.ts). Without DSMs, a pixel changed when the model's
 * probability passes its threshold.
 */
import { NO_HEIGHT, TOLERANT_RISE, keptArrays, tolerantChange, type KeptArrays } from './height-change.js';
import type { ChangeStrip } from './types.js';
import { planeResidualAt, roughSurfaceM } from './vegetation.js';

/** The rasters of one strip on the analysis grid, `margin` extra rows above and below. */
export interface StripRasters {
  y0: number;
  width: number;
  /** Rows of the strip proper, without the margins. */
  height: number;
  margin: number;
  /** Change probability, strip rows only; absent in DSM-only runs. */
  probability?: Float32Array;
  /** Excess green of the after orthophoto, strip rows only; absent in DSM-only runs. */
  greenness?: Float32Array;
  /** DSMs (NaN for nodata), vertical offset of the after DSM and ground, margin rows included; absent in ortho-only runs. */
  dsmBefore?: Float32Array;
  dsmAfter?: Float32Array;
  offset?: Float32Array;
  ground?: Float32Array;
}

/** Thresholds fusion applies, in grid pixels and metres. */
export interface FusionRule {
  heightThresholdM: number;
  probabilityThreshold: number;
  misregistrationPx: number;
  /** Height above ground (m) from which a surface counts as a building. */
  buildingHeightM: number;
  /** Window radius (px) of the surface roughness: about half a metre, so a window spans a metre of roof. */
  roughnessRadiusPx: number;
}

/**
 * Rows a strip's rasters need above and below it: the robust height change looks
 * `misregistrationPx` around each pixel, and the rise grown from it as far again, so with this
 * margin a pixel's fusion does not depend on where the strips were cut.
 */
export function fusionMargin(rule: FusionRule): number {
  return Math.max(2 * rule.misregistrationPx, rule.roughnessRadiusPx);
}

/**
 * Fuses one strip into changed pixels and the values the measurements need. Its arrays come from
 * `memory`: given memory kept from strip to strip, a strip's values last until the next strip is
 * fused into the same memory (fresh arrays cost more in page faults and garbage collection than
 * the fusion itself); by default, fresh arrays.
 */
export function fuseStrip(rasters: StripRasters, rule: FusionRule, memory: KeptArrays = keptArrays()): ChangeStrip {
  const { y0, width, height, probability, dsmBefore, dsmAfter, offset } = rasters;
  const size = width * height;
  const floats = (name: string) => memory(name, size, Float32Array);
  const strip: ChangeStrip = {
    y0,
    width,
    height,
    change: memory('change', size, Uint8Array),
    heightChange: floats('height change'),
    heightBefore: floats('height before'),
    heightAfter: floats('height after'),
    nearBuilding: memory('near building', size, Uint8Array),
    probability: probability ?? floats('no probability').fill(Number.NaN),
    roughness: floats('roughness'),
    topSurface: floats('top surface'),
    greenness: rasters.greenness ?? floats('no greenness').fill(Number.NaN),
  };
  if (dsmBefore && dsmAfter && offset) {
    fuseHeights(strip, { ...rasters, dsmBefore, dsmAfter, offset }, rule, memory);
    return strip;
  }
  for (const values of [strip.heightChange, strip.heightBefore, strip.heightAfter, strip.roughness, strip.topSurface]) values.fill(NO_HEIGHT);
  strip.nearBuilding.fill(0);
  if (probability) for (let i = 0; i < size; i++) strip.change[i] = probability[i] >= rule.probabilityThreshold ? 1 : 0;
  else strip.change.fill(0);
  return strip;
}

// Each loop of fusion is a function of its own: V8 optimises a long loop while it runs, and code
// after it that had not run yet has no type feedback; reaching it threw the optimised code away
// and the strip went on in the interpreter, strip after strip (110 times a job).

/** Fusion with both DSMs: fills `strip` (its probability given or NaN) from the rasters, margin rows included. */
function fuseHeights(strip: ChangeStrip, rasters: StripRasters & Required<Pick<StripRasters, 'dsmBefore' | 'dsmAfter' | 'offset'>>, rule: FusionRule, memory: KeptArrays): void {
  const { width, margin, dsmBefore, dsmAfter, offset, ground } = rasters;
  const fullHeight = strip.height + 2 * margin;
  const tolerant = tolerantChange(dsmBefore, dsmAfter, offset, width, fullHeight, rule.misregistrationPx, rule.heightThresholdM, memory('tolerant', dsmBefore.length, Uint8Array));
  changedPixels(strip, { ...rasters, tolerant }, rule);
  // the before DSM's roughness, measured where first needed (at most once a pixel)
  const roughBefore = memory('rough before', dsmBefore.length, Float32Array).fill(notMeasured);
  const roughBeforeAt = (j: number) => {
    if (roughBefore[j] === notMeasured) roughBefore[j] = planeResidualAt(dsmBefore, width, fullHeight, j % width, Math.floor(j / width), rule.roughnessRadiusPx);
    return roughBefore[j];
  };
  measureChanged(strip, { ...rasters, roughBeforeAt }, rule);
  if (ground) markNearBuildings(strip, { ...rasters, ground, roughBeforeAt }, rule, memory('near building seen', strip.change.length, Uint8Array));
  else {
    strip.heightBefore.fill(NO_HEIGHT);
    strip.heightAfter.fill(NO_HEIGHT);
    strip.nearBuilding.fill(0);
  }
}

/** Marks a roughness not yet measured (a plane residual is 0 or more, or NaN). */
const notMeasured = -1;

/** The per-pixel part of `fuseHeights`: heights, the surface on top, and which pixels changed. */
function changedPixels(
  strip: ChangeStrip,
  rasters: Pick<StripRasters, 'width' | 'margin' | 'probability' | 'ground'> & Record<'dsmBefore' | 'dsmAfter' | 'offset', Float32Array> & { tolerant: Uint8Array },
  rule: FusionRule,
): void {
  const { width, margin, probability, ground, dsmBefore, dsmAfter, offset, tolerant } = rasters;
  const { change, heightChange, heightBefore, heightAfter, topSurface } = strip;
  const { heightThresholdM: threshold, probabilityThreshold, misregistrationPx } = rule;
  const fullHeight = strip.height + 2 * margin;
  const skip = margin * width;
  for (let i = 0; i < change.length; i++) {
    const j = i + skip;
    const before = dsmBefore[j];
    const after = dsmAfter[j] - offset[j];
    heightChange[i] = after - before;
    // as stored: rounded to float32
    const plain = heightChange[i];
    // the surface on top: what rose after, what fell before
    topSurface[i] = plain < 0 ? before : after;
    if (ground) {
      heightBefore[i] = before - ground[j];
      heightAfter[i] = after - ground[j];
    }
    const passes = plain >= threshold || plain <= -threshold;
    const seen = probability !== undefined && probability[i] >= probabilityThreshold;
    change[i] =
      tolerant[j] !== 0 || (passes && seen) || (plain >= threshold && riseWithin(tolerant, width, fullHeight, j, misregistrationPx)) ? 1 : 0;
  }
}

/** Whether a tolerant rise lies within `radius` px of pixel `j`. */
function riseWithin(tolerant: Uint8Array, width: number, height: number, j: number, radius: number): boolean {
  const x = j % width;
  const y = (j - x) / width;
  const left = Math.max(0, x - radius);
  const right = Math.min(width - 1, x + radius);
  for (let row = Math.max(0, y - radius); row <= Math.min(height - 1, y + radius); row++) {
    for (let k = row * width + left, end = row * width + right; k <= end; k++) if (tolerant[k] === TOLERANT_RISE) return true;
  }
  return false;
}

type Roughness = { roughBeforeAt: (j: number) => number };

/** The roughness of the surface on top at the changed pixels (regions are measured there alone), NaN elsewhere. */
function measureChanged(strip: ChangeStrip, rasters: Pick<StripRasters, 'width' | 'margin'> & Record<'dsmAfter', Float32Array> & Roughness, rule: FusionRule): void {
  const { width, margin, dsmAfter, roughBeforeAt } = rasters;
  const { change, heightChange, roughness } = strip;
  const fullHeight = strip.height + 2 * margin;
  const skip = margin * width;
  roughness.fill(Number.NaN);
  for (let i = 0; i < change.length; i++) {
    if (!change[i]) continue;
    const j = i + skip;
    roughness[i] = heightChange[i] < 0 ? roughBeforeAt(j) : planeResidualAt(dsmAfter, width, fullHeight, j % width, Math.floor(j / width), rule.roughnessRadiusPx);
  }
}

/**
 * `nearBuilding` where the vectorizer reads it: at the unchanged pixels beside changed ones (a
 * region's ring), and along the strip's first and last rows (where a region in the next strip
 * meets this one); 0 elsewhere. A building stood where the surface was high and smooth (a tree
 * crown is high but rough) within the misregistration tolerance.
 */
function markNearBuildings(
  strip: ChangeStrip,
  rasters: Pick<StripRasters, 'width' | 'margin'> & Record<'dsmBefore' | 'ground', Float32Array> & Roughness,
  rule: FusionRule,
  seen: Uint8Array,
): void {
  const { width, margin, dsmBefore, ground, roughBeforeAt } = rasters;
  const { change, nearBuilding } = strip;
  const fullHeight = strip.height + 2 * margin;
  const skip = margin * width;
  const radius = rule.misregistrationPx;
  const mark = (i: number) => {
    if (seen[i]) return;
    seen[i] = 1;
    const j = i + skip;
    const x = j % width;
    const y = (j - x) / width;
    const left = Math.max(0, x - radius);
    const right = Math.min(width - 1, x + radius);
    for (let row = Math.max(0, y - radius); row <= Math.min(fullHeight - 1, y + radius); row++) {
      for (let k = row * width + left, end = row * width + right; k <= end; k++) {
        // as stored before: heights above ground rounded to float32
        if (Math.fround(dsmBefore[k] - ground[k]) > rule.buildingHeightM && !(roughBeforeAt(k) >= roughSurfaceM)) {
          nearBuilding[i] = 1;
          return;
        }
      }
    }
  };
  nearBuilding.fill(0);
  seen.fill(0);
  const last = change.length - width;
  for (let i = 0; i < change.length; i++) {
    if (i < width || i >= last) mark(i);
    if (!change[i]) continue;
    const x = i % width;
    if (x > 0 && !change[i - 1]) mark(i - 1);
    if (x < width - 1 && !change[i + 1]) mark(i + 1);
    if (i >= width && !change[i - width]) mark(i - width);
    if (i < last && !change[i + width]) mark(i + width);
  }
}
