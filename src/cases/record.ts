/**
 * A case as the service, the exports and the dossiers see it: its state and findings, its outline
 * in WGS84, and for a dossier its event history and evidence files.
 */
import type { ChangeKind, Violation } from '../vocabulary.js';
import type { CaseEvent } from './events.js';
import type { CaseState } from './states.js';

/** One case, as read from the database. */
export interface CaseRecord {
  id: number;
  state: CaseState;
  violation: Violation;
  changeKind: ChangeKind;
  priority: number;
  gridId: string | null;
  zones: string[];
  permitNo: string | null;
  areaM2: number;
  heightChangeM: number | null;
  heightAfterM: number | null;
  /** Date of the flight that last found it (YYYY-MM-DD). */
  flightDate: string | null;
  detectedAt: Date;
  updatedAt: Date;
  /** Outline as GeoJSON MultiPolygon coordinates in WGS84 (longitude, latitude). */
  outline: [number, number][][][];
  /** The same outline in the project CRS, with its EPSG code. */
  projectOutline: { epsg: number; coordinates: [number, number][][][] };
}

/** An evidence file of a case: a detection chip, re-inspection evidence or a field photo. */
export interface EvidenceFile {
  kind: string;
  name: string;
  sha256: string;
  mediaType: string;
  /** Where the file is on disk (in the evidence store). */
  path: string;
}

/** Everything a case dossier shows. */
export interface CaseDossier {
  record: CaseRecord;
  events: CaseEvent[];
  evidence: EvidenceFile[];
}
