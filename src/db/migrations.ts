/**
 * The schema (DESIGN.md section 6) as an ordered list of migrations, run by knex's migrator from
 * this list (not from files on disk, so the built package carries them). Geometries are
 * MultiPolygons in the project CRS; their SRID is fixed when the project CRS is first set
 * (`project-crs.ts`), since a fresh database does not know it yet.
 */
import type { Knex } from 'knex';

interface Migration {
  name: string;
  statements: string[];
}

/** Tables with a project-CRS geometry column `geom`. */
export const spatialTables = ['plans', 'zones', 'grids', 'candidates', 'cases'] as const;

const migrations: Migration[] = [
  {
    name: '001_initial',
    statements: [
      `CREATE TABLE settings (key text PRIMARY KEY, value jsonb NOT NULL)`,
      `CREATE TABLE imports (
        id bigserial PRIMARY KEY,
        layer text NOT NULL CHECK (layer IN ('plans', 'zones', 'grids')),
        file_name text NOT NULL,
        sha256 text NOT NULL,
        features integer NOT NULL,
        repairs jsonb NOT NULL DEFAULT '[]',
        imported_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (layer, sha256))`,
      `CREATE TABLE plans (
        id bigserial PRIMARY KEY,
        permit_no text NOT NULL UNIQUE,
        kind text NOT NULL,
        permitted_height_m double precision,
        permitted_floors integer,
        valid_from date,
        valid_to date,
        properties jsonb NOT NULL DEFAULT '{}',
        import_id bigint REFERENCES imports,
        geom geometry(MultiPolygon) NOT NULL)`,
      `CREATE TABLE zones (
        id bigserial PRIMARY KEY,
        zone_id text NOT NULL UNIQUE,
        kind text NOT NULL,
        name text,
        priority double precision NOT NULL DEFAULT 1,
        thresholds jsonb NOT NULL DEFAULT '{}',
        properties jsonb NOT NULL DEFAULT '{}',
        import_id bigint REFERENCES imports,
        geom geometry(MultiPolygon) NOT NULL)`,
      `CREATE TABLE grids (
        id bigserial PRIMARY KEY,
        grid_id text NOT NULL UNIQUE,
        street text,
        community text,
        officer text,
        properties jsonb NOT NULL DEFAULT '{}',
        import_id bigint REFERENCES imports,
        geom geometry(MultiPolygon) NOT NULL)`,
      `CREATE TABLE jobs (
        id bigserial PRIMARY KEY,
        kind text NOT NULL DEFAULT 'detect',
        state text NOT NULL,
        spec jsonb NOT NULL,
        before_date date,
        after_date date,
        model text,
        summary jsonb,
        out_dir text,
        created_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz)`,
      `CREATE TABLE candidates (
        id bigserial PRIMARY KEY,
        job_id bigint NOT NULL REFERENCES jobs ON DELETE CASCADE,
        local_id text NOT NULL,
        change_kind text NOT NULL,
        area_m2 double precision NOT NULL,
        height_change_m double precision,
        height_change_max_m double precision,
        height_after_m double precision,
        confidence double precision,
        reason text NOT NULL,
        evidence jsonb NOT NULL DEFAULT '[]',
        violation text,
        suspect boolean,
        decision text,
        permit_no text,
        permit_share double precision,
        permitted_height_m double precision,
        grid_id text,
        zones text[] NOT NULL DEFAULT '{}',
        priority double precision,
        case_id bigint,
        geom geometry(MultiPolygon) NOT NULL,
        UNIQUE (job_id, local_id))`,
      `CREATE TABLE cases (
        id bigserial PRIMARY KEY,
        state text NOT NULL,
        violation text NOT NULL,
        change_kind text NOT NULL,
        priority double precision NOT NULL,
        grid_id text,
        zones text[] NOT NULL DEFAULT '{}',
        permit_no text,
        area_m2 double precision NOT NULL,
        height_change_m double precision,
        height_after_m double precision,
        first_job_id bigint NOT NULL REFERENCES jobs,
        last_job_id bigint NOT NULL REFERENCES jobs,
        last_candidate_id bigint REFERENCES candidates,
        flight_date date,
        detected_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        geom geometry(MultiPolygon) NOT NULL)`,
      `ALTER TABLE candidates ADD FOREIGN KEY (case_id) REFERENCES cases`,
      `CREATE TABLE case_events (
        id bigserial PRIMARY KEY,
        case_id bigint NOT NULL REFERENCES cases,
        seq integer NOT NULL,
        kind text NOT NULL,
        from_state text,
        to_state text,
        actor text NOT NULL,
        at timestamptz NOT NULL,
        lon double precision,
        lat double precision,
        note text,
        data jsonb NOT NULL DEFAULT '{}',
        prev_hash text,
        hash text NOT NULL,
        UNIQUE (case_id, seq))`,
      // The record of a case must be shown untouched: events are append-only in the database itself.
      `CREATE FUNCTION refuse_event_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'case events are append-only: % refused', TG_OP; END $$`,
      `CREATE TRIGGER case_events_append_only BEFORE UPDATE OR DELETE ON case_events
        FOR EACH ROW EXECUTE FUNCTION refuse_event_change()`,
      `CREATE TABLE evidence (
        id bigserial PRIMARY KEY,
        case_id bigint REFERENCES cases,
        candidate_id bigint REFERENCES candidates ON DELETE CASCADE,
        kind text NOT NULL,
        name text NOT NULL,
        sha256 text NOT NULL,
        media_type text NOT NULL,
        bytes integer NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now())`,
      `CREATE TABLE outbox (
        id bigserial PRIMARY KEY,
        case_id bigint NOT NULL REFERENCES cases,
        event_id bigint NOT NULL REFERENCES case_events,
        topic text NOT NULL,
        payload jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        attempts integer NOT NULL DEFAULT 0,
        delivered_at timestamptz)`,
      ...spatialTables.map((table) => `CREATE INDEX ${table}_geom ON ${table} USING gist (geom)`),
      `CREATE INDEX candidates_job ON candidates (job_id)`,
      `CREATE INDEX cases_state ON cases (state)`,
      `CREATE INDEX cases_grid ON cases (grid_id)`,
      `CREATE INDEX evidence_case ON evidence (case_id)`,
      `CREATE INDEX outbox_pending ON outbox (id) WHERE delivered_at IS NULL`,
    ],
  },
];

/** Brings the schema up to date; returns the names of the migrations it ran. */
export async function migrate(knex: Knex, schema: string): Promise<string[]> {
  const source: Knex.MigrationSource<Migration> = {
    getMigrations: async () => migrations,
    getMigrationName: (migration) => migration.name,
    getMigration: async (migration) => ({
      up: async (trx: Knex) => {
        for (const statement of migration.statements) await trx.raw(statement);
      },
      down: async () => {
        throw new Error('zhiwei migrations are forward-only');
      },
    }),
  };
  const [, ran] = (await knex.migrate.latest({ migrationSource: source, schemaName: schema, tableName: 'migrations' })) as [number, string[]];
  return ran;
}
