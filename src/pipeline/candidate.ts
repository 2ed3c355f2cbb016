/**
 * A candidate (DESIGN.md section 3): one change found by the pipeline, measured and classified,
 * ready to be written out and checked against plans.
 */
import type { ChangeKind } from '../vocabulary.js';

/** One detected change; polygons in the analysis grid's CRS, measurements in metres. */
export interface Candidate {
  /** Unique within a run; also the name of its evidence folder, so letters, digits, `_`, `-`, `.` only. */
  id: string;
  changeKind: ChangeKind;
  /** Polygons with holes (outer ring first), map coordinates of the analysis grid's CRS. */
  polygons: [number, number][][][];
  areaM2: number;
  /** Mean and largest-magnitude height change (after − before, m); null without heights. */
  heightChangeM: number | null;
  heightChangeMaxM: number | null;
  /** Mean height above ground after (m); null without heights. */
  heightAfterM: number | null;
  /** Model change probability 0-1; null in DSM-only runs. */
  confidence: number | null;
  /** Why it is (or is not) a change of this kind, in a few words. */
  reason: string;
}
