/**
 * The domain's words (DESIGN.md section 3), shared by the pipeline, cases, exports, the service and
 * the generator: what kind of change a candidate is, and what a suspect violates.
 */

/** Change kinds of DESIGN.md section 3. */
export const CHANGE_KINDS = Object.freeze([
  'new_building',
  'extension',
  'rooftop_addition',
  'height_increase',
  'demolition',
  'ground_structure',
] as const);

/** One change kind. */
export type ChangeKind = (typeof CHANGE_KINDS)[number];

/** Violation types of DESIGN.md section 3 (`none`: legal, or not judged). */
export const VIOLATIONS = Object.freeze([
  'no_permit',
  'outside_permitted_footprint',
  'exceeds_permitted_height',
  'permit_expired',
  'none',
] as const);

/** One violation type. */
export type Violation = (typeof VIOLATIONS)[number];
