/**
 * 002: users of the verification service with their role, the grids each officer is assigned to,
 * and API tokens (stored as SHA-256 only, with a short prefix to tell them apart).
 */
import type { Migration } from './index.js';

/** Roles of DESIGN.md section 7. */
export const ROLES = Object.freeze(['analyst', 'reviewer', 'officer', 'supervisor', 'admin'] as const);

/** Users, officers' grids and tokens. */
export const users: Migration = {
  name: '002_users',
  statements: [
    `CREATE TABLE users (
      id bigserial PRIMARY KEY,
      name text NOT NULL UNIQUE,
      role text NOT NULL CHECK (role IN (${ROLES.map((role) => `'${role}'`).join(', ')})),
      active boolean NOT NULL DEFAULT true,
      created_at timestamptz NOT NULL DEFAULT now())`,
    `CREATE TABLE user_grids (
      user_id bigint NOT NULL REFERENCES users ON DELETE CASCADE,
      grid_id text NOT NULL,
      PRIMARY KEY (user_id, grid_id))`,
    `CREATE TABLE tokens (
      id bigserial PRIMARY KEY,
      user_id bigint NOT NULL REFERENCES users ON DELETE CASCADE,
      sha256 text NOT NULL UNIQUE,
      prefix text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      last_used_at timestamptz,
      revoked_at timestamptz)`,
    `CREATE INDEX tokens_prefix ON tokens (prefix)`,
    `CREATE INDEX cases_priority ON cases (priority DESC, id DESC)`,
    `CREATE INDEX cases_flight_date ON cases (flight_date)`,
    `CREATE INDEX case_events_state_change ON case_events (case_id, to_state, at) WHERE from_state IS DISTINCT FROM to_state`,
    `CREATE INDEX candidates_case ON candidates (case_id)`,
    `CREATE INDEX evidence_sha256 ON evidence (sha256)`,
    `CREATE INDEX evidence_candidate ON evidence (candidate_id)`,
  ],
};
