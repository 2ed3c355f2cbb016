/**
 * Colours of materials as seen from a drone over a peri-urban Chinese village, in linear-ish sRGB
 * before lighting: concrete roofs, clay, cement and glazed tile, asphalt, steel sheet, solar panels,
 * vegetation, cars, vans and trucks.
 */
import type { Random } from './random.js';
import type { Rgb } from './types.js';

/** Colour of a flat concrete roof: mostly grey, some coated (green, silver) or tiled in brick-red. */
export function flatRoofColour(rng: Random): Rgb {
  return rng.weighted<Rgb>([
    [[158, 156, 150], 30],
    [[176, 172, 164], 22],
    [[140, 138, 134], 16],
    [[128, 150, 132], 8],
    [[190, 190, 188], 8],
    [[166, 120, 100], 9],
    [[150, 142, 124], 7],
  ]);
}

/** Colour of clay or cement tiles on a pitched roof: red, brown, grey, or the old grey-black. */
export function tileRoofColour(rng: Random): Rgb {
  return rng.weighted<Rgb>([
    [[160, 84, 62], 24],
    [[136, 72, 56], 12],
    [[118, 84, 64], 10],
    [[100, 100, 104], 20],
    [[80, 84, 94], 14],
    [[60, 62, 66], 14],
    [[146, 110, 86], 6],
  ]);
}

/** Colour of glazed tile (琉璃瓦): blue, green, orange-yellow or red glaze. */
export function glazedTileColour(rng: Random): Rgb {
  return rng.weighted<Rgb>([
    [[42, 92, 168], 45],
    [[46, 122, 92], 20],
    [[190, 140, 58], 10],
    [[176, 60, 42], 25],
  ]);
}

/** Colour of asphalt shingle or felt: charcoal, black, dark red, green or brown. */
export function asphaltRoofColour(rng: Random): Rgb {
  return rng.weighted<Rgb>([
    [[70, 70, 72], 35],
    [[44, 44, 48], 25],
    [[110, 56, 48], 15],
    [[60, 84, 64], 12],
    [[96, 78, 62], 13],
  ]);
}

/** Colour of photovoltaic modules: dark blue polycrystalline or black monocrystalline. */
export function pvColour(rng: Random): Rgb {
  return rng.chance(0.55) ? [34, 48, 88] : [24, 26, 34];
}

/** A pitched roof for a house: material, colour and shape. */
export function pitchedRoof(rng: Random): { roof: 'tile' | 'glazed' | 'asphalt' | 'steel'; colour: Rgb; pitch: 'gable' | 'hip' } {
  const roof = rng.weighted<'tile' | 'glazed' | 'asphalt' | 'steel'>([['tile', 60], ['glazed', 16], ['asphalt', 10], ['steel', 14]]);
  const colour = roof === 'tile' ? tileRoofColour(rng) : roof === 'glazed' ? glazedTileColour(rng) : roof === 'asphalt' ? asphaltRoofColour(rng) : steelSheetColour(rng);
  return { roof, colour, pitch: rng.chance(0.6) ? 'gable' : 'hip' };
}

/** Colour of corrugated steel sheet: blue most often, then white, grey, green and red-brown. */
export function steelSheetColour(rng: Random): Rgb {
  return rng.weighted<Rgb>([
    [[48, 108, 176], 34],
    [[62, 130, 192], 10],
    [[214, 216, 214], 18],
    [[188, 192, 194], 6],
    [[150, 160, 156], 8],
    [[126, 130, 134], 5],
    [[70, 132, 96], 7],
    [[110, 150, 120], 3],
    [[142, 62, 46], 6],
    [[120, 72, 58], 3],
  ]);
}

/** Colour of a car body: mostly white, black and silver. */
export function carColour(rng: Random): Rgb {
  return rng.weighted<Rgb>([
    [[226, 228, 230], 34],
    [[30, 32, 36], 18],
    [[170, 174, 178], 18],
    [[110, 112, 116], 10],
    [[150, 30, 32], 6],
    [[36, 70, 140], 7],
    [[190, 160, 120], 4],
    [[60, 110, 70], 3],
  ]);
}

/** Colour of a tree canopy in summer. */
export function canopyColour(rng: Random): Rgb {
  return rng.weighted<Rgb>([
    [[70, 102, 48], 30],
    [[58, 88, 46], 25],
    [[88, 118, 58], 20],
    [[48, 74, 44], 15],
    [[96, 112, 66], 10],
  ]);
}

/** Colour of a water tank: stainless steel, or blue or white plastic. */
export function tankColour(rng: Random): Rgb {
  return rng.weighted<Rgb>([
    [[205, 208, 212], 50],
    [[52, 96, 168], 30],
    [[228, 226, 218], 20],
  ]);
}

/** Colour of a van: mostly white or silver. */
export function vanColour(rng: Random): Rgb {
  return rng.weighted<Rgb>([
    [[228, 230, 232], 50],
    [[176, 180, 184], 18],
    [[110, 112, 116], 8],
    [[36, 38, 42], 8],
    [[44, 84, 150], 8],
    [[200, 180, 140], 4],
    [[160, 40, 36], 4],
  ]);
}

/** Colour of a truck cab: blue most often, white, red, yellow or green. */
export function truckCabColour(rng: Random): Rgb {
  return rng.weighted<Rgb>([
    [[40, 90, 170], 40],
    [[222, 224, 224], 25],
    [[170, 36, 34], 12],
    [[214, 170, 40], 10],
    [[60, 120, 80], 6],
    [[170, 174, 178], 7],
  ]);
}

/** Colour of a truck's cargo box or tarpaulin. */
export function cargoColour(rng: Random): Rgb {
  return rng.weighted<Rgb>([
    [[224, 226, 226], 40],
    [[172, 176, 178], 15],
    [[50, 100, 170], 15],
    [[60, 110, 70], 15],
    [[200, 120, 40], 5],
    [[120, 120, 124], 10],
  ]);
}
