/**
 * 006: the building register (存量建筑台账). A survey stores every building it finds; the next
 * survey of the same place updates the building (its outline overlaps by at least half of the
 * smaller of the two) instead of adding one, and each survey's measurement of it is kept as an
 * observation, so the register keeps its history. A survey's buildings and rooftop structures are
 * judged as candidates of its job (`candidates.floors` for the floors rule); any candidate, of a
 * survey or a later detect, names the register building it stands on or touches (`building_id`).
 * Jobs say which kind they are (`detect` or `survey`).
 * The geometry columns get the project SRID when the project CRS is set, or here when it already is.
 */
import type { Migration } from './index.js';

/** Tables of the register with a project-CRS geometry column `geom`. */
export const registerTables = ['buildings', 'building_observations'] as const;

/** A building's legality in the register. */
const legalities = `('legal', 'suspect')`;
const violations = `('no_permit', 'outside_permitted_footprint', 'exceeds_permitted_height', 'permit_expired', 'none')`;

/** The building register and its history. */
export const buildings: Migration = {
  name: '006_buildings',
  statements: [
    // jobs.kind exists since 001 (default 'detect'); 006 names the kinds it may hold
    `ALTER TABLE jobs ADD CONSTRAINT jobs_kind CHECK (kind IN ('detect', 'survey'))`,
    `CREATE TABLE buildings (
      id bigserial PRIMARY KEY,
      first_job_id bigint NOT NULL REFERENCES jobs,
      last_job_id bigint NOT NULL REFERENCES jobs,
      flight_date date,
      area_m2 double precision NOT NULL,
      roof_height_m double precision,
      roof_height_max_m double precision,
      floors integer,
      roof_form text CHECK (roof_form IN ('flat', 'pitched')),
      rooftop_structures integer NOT NULL DEFAULT 0,
      legality text NOT NULL CHECK (legality IN ${legalities}),
      violation text NOT NULL CHECK (violation IN ${violations}),
      permit_no text,
      grid_id text,
      case_id bigint REFERENCES cases,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      geom geometry(MultiPolygon) NOT NULL)`,
    `CREATE TABLE building_observations (
      id bigserial PRIMARY KEY,
      building_id bigint NOT NULL REFERENCES buildings,
      job_id bigint NOT NULL REFERENCES jobs,
      candidate_id bigint REFERENCES candidates,
      flight_date date,
      area_m2 double precision NOT NULL,
      roof_height_m double precision,
      roof_height_max_m double precision,
      floors integer,
      roof_form text CHECK (roof_form IN ('flat', 'pitched')),
      rooftop_structures integer NOT NULL DEFAULT 0,
      legality text NOT NULL CHECK (legality IN ${legalities}),
      violation text NOT NULL CHECK (violation IN ${violations}),
      permit_no text,
      observed_at timestamptz NOT NULL DEFAULT now(),
      geom geometry(MultiPolygon) NOT NULL,
      UNIQUE (building_id, job_id))`,
    `ALTER TABLE candidates ADD COLUMN floors integer, ADD COLUMN building_id bigint REFERENCES buildings`,
    ...registerTables.map((table) => `CREATE INDEX ${table}_geom ON ${table} USING gist (geom)`),
    `CREATE INDEX candidates_building ON candidates (building_id) WHERE building_id IS NOT NULL`,
    // a database whose project CRS is already set types the new columns with it at once
    `DO $$
      DECLARE srid integer := (SELECT value::text::integer FROM settings WHERE key = 'project_epsg');
      BEGIN
        IF srid IS NOT NULL THEN
          EXECUTE format('ALTER TABLE buildings ALTER COLUMN geom TYPE geometry(MultiPolygon, %s) USING ST_SetSRID(geom, %s)', srid, srid);
          EXECUTE format('ALTER TABLE building_observations ALTER COLUMN geom TYPE geometry(MultiPolygon, %s) USING ST_SetSRID(geom, %s)', srid, srid);
        END IF;
      END $$`,
  ],
};
