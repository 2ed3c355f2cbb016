/**
 * The rules of the plan overlay (DESIGN.md section 3): when a candidate is a suspect, of which
 * violation, and how urgent. The decision itself runs in PostGIS (`sql.ts`); these are
 * its documented defaults, each overridable per zone (zone attributes of the same names).
 *
 * A candidate is judged against the plans valid on the after flight's date, each widened by the
 * footprint tolerance (drone flights and CAD plans are offset from each other by up to a metre):
 * 1. demolitions are never suspects (they are evidence for re-inspection of an open case);
 * 2. a candidate at least half inside an exempt zone is legal (licensed construction site), and
 *    so is a survey's rooftop structure on a building that is;
 * 3. one below its zone's minimum area or height change is not a suspect;
 * 4. one that does not belong to a valid plan is `permit_expired` when an expired plan covers
 *    half of it, else `no_permit` (a plan not yet valid on the flight date is no permit). It
 *    belongs when at least `planShare` of it lies within valid plans; an extension belongs to the
 *    plan of the building it is built against, so touching one is enough; so does a survey's
 *    building built against another that stands in its plan (`builtAgainst`);
 * 5. one that belongs but has more than `maxOutsideShare` outside every valid plan is
 *    `outside_permitted_footprint` (rooftop additions and added floors stand on their building);
 * 6. one whose height above ground exceeds the permitted height of its plan (the valid plan
 *    covering most of it; among near-equal covers the newest, which amends the older) by more
 *    than the height tolerance is `exceeds_permitted_height`; permitted floors count 3 m each;
 *    a survey's building, whose floors are counted, is judged by its floors where its plan limits
 *    only the floors (more than permitted is `exceeds_permitted_height`; a pitched roof over three
 *    floors is not a fourth), by its height where the plan gives one (floors counted from a DSM are
 *    its height over a nominal storey: a one-storey steel hall or tall workshop storeys would count
 *    too many, while an added floor rises well past the height tolerance);
 * 7. anything else is legal: within its permit, with the reason.
 *
 * Plans of every kind count, `existing_building` ones too: they are the legal stock, a building
 * inside one is legal up to its permitted height or floors. A rooftop structure (a survey's, or a
 * detect's rooftop addition) stands on its building's plan, so it is legal only where that plan
 * permits the height it reaches, or where a valid `additional_floors` or `extension` plan covers
 * at least half of it (that plan then governs it before the building's); else it is `no_permit` or
 * `exceeds_permitted_height`.
 */
import type { Violation } from '../../vocabulary.js';

/** Overlay thresholds; zones may override each. */
export interface OverlayRules {
  /** Plans are widened by this much (m) before shares are measured. */
  footprintToleranceM: number;
  /** Share of a candidate that must lie within valid plans for it to belong to them. */
  planShare: number;
  /** More than this share outside every valid plan is building outside the permitted footprint. */
  maxOutsideShare: number;
  /** Height above the permitted height (m) still forgiven (DSM noise, parapets). */
  heightToleranceM: number;
  /** Zone overrides of the detection thresholds: below these a change is not a suspect there. */
  minAreaM2: number;
  minHeightChangeM: number;
  /** Height of one permitted floor (m), for plans that give floors instead of metres. */
  floorHeightM: number;
}

/** The defaults. */
export const defaultOverlayRules: OverlayRules = Object.freeze({
  footprintToleranceM: 1.0,
  planShare: 0.5,
  maxOutsideShare: 0.2,
  heightToleranceM: 0.5,
  minAreaM2: 4,
  minHeightChangeM: 2.0,
  floorHeightM: 3.0,
});

/**
 * When a survey's standing building is an extension of its neighbour. A survey sees no change,
 * only buildings: a yard room built against a house is drawn as a building of its own where its
 * roof is lower, lies mostly outside the house's plan, and would be `no_permit` though the house
 * is permitted. It is the house's extension (`outside_permitted_footprint` when more than
 * `maxOutsideShare` of it is outside the plan, as detect judges an extension) when it has no plan
 * of its own (less than `planShare` inside valid plans), touches (within the footprint tolerance)
 * the valid plan of a building of the survey standing at least `planShare` inside it, shares a
 * wall with that building along at least `minWallShare` of its outline (a room against a house
 * shares one of its four sides, a third of its outline or more), and is at most `maxPlanAreaShare`
 * of that plan's area (a room, not a house). A separate building next to a plan is not: a shed in
 * the yard stands apart from the house (a gap wider than `wallGapM`), and a neighbour's house
 * built without a permit stands beside it, as large as it, sharing at most a short stretch of wall.
 */
export const builtAgainst = Object.freeze({
  /** Outlines closer than this (m) share a wall, fully where they touch: about one cell of the analysis grid. */
  wallGapM: 0.3,
  minWallShare: 0.25,
  maxPlanAreaShare: 0.5,
});

/**
 * Priority weight of each violation: building with no permit at all is the most serious; an
 * expired permit is the mildest (often a paperwork matter).
 */
export const violationWeights: Record<Exclude<Violation, 'none'>, number> = Object.freeze({
  no_permit: 1.0,
  exceeds_permitted_height: 0.9,
  outside_permitted_footprint: 0.8,
  permit_expired: 0.7,
});

/**
 * How new a change can be: it happened between the two flights, so the shorter the interval the
 * fresher it is, and fresh construction can still be stopped (当日发现, 当日处置). 1.5 for flights a
 * day apart, falling linearly to 1 for a year or more (or an unknown before date).
 */
export function recencyFactor(beforeDate: string | null, afterDate: string): number {
  if (beforeDate === null) return 1;
  const days = (Date.parse(afterDate) - Date.parse(beforeDate)) / 86400000;
  return 1 + 0.5 * Math.max(0, 1 - days / 365);
}

/*
 * Priority score of a suspect (higher is more urgent, about 10-100):
 *   violation weight × zone weight × (10·log10(1 + area m²) + 2·min(height m, 15)) × recency
 * where height is the excess over the permitted height for `exceeds_permitted_height` and the
 * height change otherwise (a survey building judged by floors: its excess floors, 3 m each), and the zone weight is the largest priority of the zones it touches
 * (1 outside every zone; historic quarters and main-road corridors weigh more). The SQL in
 * `sql.ts` computes it.
 */
