// @ts-check
/**
 * The words the API uses for case states, violations and change kinds, for the pages' menus and
 * colours. They copy the frozen lists of src/cases/states.ts and src/pipeline/types.ts (the pages
 * are served as they are, without a build step); test/web/lifecycle.test.ts holds them equal.
 */

/** Case states, in lifecycle order. */
export const CASE_STATES = Object.freeze(['detected', 'triaged', 'dispatched', 'verified_illegal', 'disposing', 'reinspected', 'dismissed', 'verified_legal', 'false_positive', 'closed']);

/** States in which a case still waits for someone (the rest are final). */
export const OPEN_STATES = Object.freeze(['detected', 'triaged', 'dispatched', 'verified_illegal', 'disposing', 'reinspected']);

/** Violation types. */
export const VIOLATIONS = Object.freeze(['no_permit', 'outside_permitted_footprint', 'exceeds_permitted_height', 'permit_expired', 'none']);

/** Change kinds. */
export const CHANGE_KINDS = Object.freeze(['new_building', 'extension', 'rooftop_addition', 'height_increase', 'demolition', 'ground_structure']);
