/**
 * A building found by a survey (one flight: orthophoto and DSM, optional DTM), measured, with the
 * structures standing on its roof. Polygons are in the analysis grid's CRS, measurements in metres;
 * the survey stage produces them, the register and the overlay store and judge them.
 */

/** Roof form, from a plane fit of the roof's surface. */
export type RoofForm = 'flat' | 'pitched';

/** A part of a roof standing well above the main roof (a stair room, a shed, a water tank). */
export interface RooftopStructure {
  /** Unique within the survey: the building's id and a suffix (`b00012-r1`). */
  id: string;
  polygons: [number, number][][][];
  areaM2: number;
  /** Median height above the main roof (m). */
  heightAboveRoofM: number;
  /** Median height above ground (m). */
  heightM: number;
}

/** One building of a survey. */
export interface Building {
  /** Unique within the survey, in scan order of the first pixel (`b00001`); letters, digits, `-` only. */
  id: string;
  /** The regularised footprint: polygons with holes, outer ring first. */
  polygons: [number, number][][][];
  /** Area of the regularised footprint and of the footprint's pixels (m²). */
  areaM2: number;
  pixelAreaM2: number;
  /** Roof height above ground (m): median and maximum over the roof, rooftop structures excluded. */
  roofHeightM: number;
  roofHeightMaxM: number;
  /** Floors: the median roof height (a pitched roof's eaves height) ÷ the storey height, rounded, at least 1. */
  floors: number;
  roofForm: RoofForm;
  rooftopStructures: RooftopStructure[];
}

/** What makes a building, and how it is measured. */
export interface SurveyThresholds {
  /** Least height above ground (m) of a building's roof. */
  minHeightM: number;
  /** Least footprint area (m²). */
  minAreaM2: number;
  /** Height of one storey (m), for floors. */
  storeyHeightM: number;
  /** Least height above the main roof (m) and area (m²) of a rooftop structure. */
  rooftopMinHeightM: number;
  rooftopMinAreaM2: number;
}

/** The defaults. */
export const defaultSurveyThresholds: SurveyThresholds = Object.freeze({
  minHeightM: 2.2,
  minAreaM2: 6,
  storeyHeightM: 3,
  rooftopMinHeightM: 2.2,
  rooftopMinAreaM2: 4,
});
