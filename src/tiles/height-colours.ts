/**
 * The diverging colour ramp of height-change tiles (ColorBrewer RdBu ends): rises in red, falls in
 * blue, paler and more transparent near the threshold, darker and more opaque up to saturation.
 * Changes under the threshold are transparent, so that the flight-to-flight noise left after the
 * vertical offset is removed does not tint the whole map.
 */

/** |Δh| (m) below which a pixel stays transparent. */
export const TRANSPARENT_BELOW_M = 0.5;
/** |Δh| (m) from which the colour no longer darkens. */
export const SATURATES_AT_M = 10;

/** RGB of a rise at the threshold and at saturation (#f4a582 → #b2182b). */
export const RISE_COLOURS = { low: [244, 165, 130], high: [178, 24, 43] } as const;
/** RGB of a fall at the threshold and at saturation (#92c5de → #2166ac). */
export const FALL_COLOURS = { low: [146, 197, 222], high: [33, 102, 172] } as const;

const ALPHA_LOW = 150;
const ALPHA_HIGH = 230;

/** Writes the RGBA of a height change (m; NaN for no data) at `out[o..o+3]`. */
export function heightChangeColour(dh: number, out: Uint8Array, o: number): void {
  const size = Math.abs(dh);
  if (!(size >= TRANSPARENT_BELOW_M)) {
    out[o + 3] = 0;
    return;
  }
  const t = Math.min(1, (size - TRANSPARENT_BELOW_M) / (SATURATES_AT_M - TRANSPARENT_BELOW_M));
  const { low, high } = dh > 0 ? RISE_COLOURS : FALL_COLOURS;
  for (let c = 0; c < 3; c++) out[o + c] = Math.round(low[c] + (high[c] - low[c]) * t);
  out[o + 3] = Math.round(ALPHA_LOW + (ALPHA_HIGH - ALPHA_LOW) * t);
}
