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
import { NO_HEIGHT, keptArrays, neighbourhoodMax, robustHeightChange, workingArray, type KeptArrays } from './height-change.js';
import type { ChangeStrip } from './types.js';
import { planeResidual, roughSurfaceM } from './vegetation.js';

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
    fuseHeights(strip, { ...rasters, dsmBefore, dsmAfter, offset }, rule);
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
function fuseHeights(strip: ChangeStrip, rasters: StripRasters & Required<Pick<StripRasters, 'dsmBefore' | 'dsmAfter' | 'offset'>>, rule: FusionRule): void {
  const { width, margin, dsmBefore, dsmAfter, offset, ground } = rasters;
  const fullHeight = strip.height + 2 * margin;
  const robust = robustHeightChange(dsmBefore, dsmAfter, offset, width, fullHeight, rule.misregistrationPx);
  const rises = nearRise(robust, rule.heightThresholdM, width, fullHeight, rule.misregistrationPx);
  const roughBefore = planeResidual(dsmBefore, width, fullHeight, rule.roughnessRadiusPx, workingArray('fuse rough before', dsmBefore.length));
  const roughAfter = planeResidual(dsmAfter, width, fullHeight, rule.roughnessRadiusPx, workingArray('fuse rough after', dsmAfter.length));
  changedPixels(strip, { ...rasters, robust, rises, roughBefore, roughAfter }, rule.heightThresholdM, rule.probabilityThreshold);
  if (ground) {
    // a building stood where the surface was high and smooth; a tree crown is high but rough
    const above = aboveGround(dsmBefore, ground, roughBefore);
    const highest = neighbourhoodMax(above, width, fullHeight, rule.misregistrationPx, workingArray('fuse highest', above.length));
    const skip = margin * width;
    for (let i = 0; i < strip.nearBuilding.length; i++) strip.nearBuilding[i] = highest[i + skip] > rule.buildingHeightM ? 1 : 0;
  } else {
    strip.heightBefore.fill(NO_HEIGHT);
    strip.heightAfter.fill(NO_HEIGHT);
    strip.nearBuilding.fill(0);
  }
}

/** The per-pixel part of `fuseHeights`: heights, the surface on top, and which pixels changed. */
function changedPixels(
  strip: ChangeStrip,
  rasters: Pick<StripRasters, 'width' | 'margin' | 'probability' | 'ground'> & Record<'dsmBefore' | 'dsmAfter' | 'offset' | 'robust' | 'rises' | 'roughBefore' | 'roughAfter', Float32Array>,
  threshold: number,
  probabilityThreshold: number,
): void {
  const { width, margin, probability, ground, dsmBefore, dsmAfter, offset, robust, rises, roughBefore, roughAfter } = rasters;
  const { change, heightChange, heightBefore, heightAfter, roughness, topSurface } = strip;
  const skip = margin * width;
  for (let i = 0; i < change.length; i++) {
    const j = i + skip;
    const before = dsmBefore[j];
    const after = dsmAfter[j] - offset[j];
    heightChange[i] = after - before;
    // as stored: rounded to float32
    const plain = heightChange[i];
    // the surface on top: what rose after, what fell before
    const fell = plain < 0;
    roughness[i] = fell ? roughBefore[j] : roughAfter[j];
    topSurface[i] = fell ? before : after;
    if (ground) {
      heightBefore[i] = before - ground[j];
      heightAfter[i] = after - ground[j];
    }
    const seen = probability !== undefined && probability[i] >= probabilityThreshold;
    const grown = rises[j] > 0 && plain >= threshold;
    const tolerant = robust[j];
    change[i] = tolerant >= threshold || tolerant <= -threshold || grown || (seen && (plain >= threshold || plain <= -threshold)) ? 1 : 0;
  }
}

/** Height above ground before (m), NaN where the surface was rough (in a working array). */
function aboveGround(dsmBefore: Float32Array, ground: Float32Array, roughBefore: Float32Array): Float32Array {
  const above = workingArray('fuse above', dsmBefore.length);
  for (let j = 0; j < above.length; j++) above[j] = roughBefore[j] >= roughSurfaceM ? Number.NaN : dsmBefore[j] - ground[j];
  return above;
}

/** 1 within `radius` px of a pixel whose robust change rises past `threshold`, else 0 (in a working array). */
function nearRise(robust: Float32Array, threshold: number, width: number, height: number, radius: number): Float32Array {
  // a plain loop: Float32Array.from with a map function calls it through the iterator, many times slower
  const risen = workingArray('fuse risen', robust.length);
  for (let j = 0; j < robust.length; j++) risen[j] = robust[j] >= threshold ? 1 : 0;
  return neighbourhoodMax(risen, width, height, radius, workingArray('fuse near rise', robust.length));
}
