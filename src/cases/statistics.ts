/**
 * Statistics for a bureau (DESIGN.md section 7): case counts, area found and demolished, closure
 * (rate, on-time rate, median days to close) per grid and overall, and field precision, the share
 * of dispatched suspects that officers verified illegal: the system's headline accuracy, measured
 * from verdicts, per grid, violation, change kind and model version.
 */
import type { Knex } from 'knex';
import type { StageDeadlines } from './deadlines.js';
import { stateSinceSql } from './read.js';

/** Closure figures of a group of cases. */
export interface Closure {
  /** Cases verified illegal (in that state or further on), the ones that must be closed. */
  confirmed: number;
  closed: number;
  /** closed / confirmed; null when nothing was confirmed. */
  closureRate: number | null;
  /** Closed cases none of whose stages ran past its deadline. */
  closedOnTime: number;
  /** closedOnTime / closed; null when nothing was closed. */
  onTimeRate: number | null;
  /** Median days from detection to closure; null when nothing was closed. */
  medianDaysToClose: number | null;
}

/** Field verdicts of a group of dispatched suspects. */
export interface Precision {
  verifiedIllegal: number;
  verifiedLegal: number;
  falsePositive: number;
  /** verifiedIllegal / all verdicts; null without verdicts. */
  precision: number | null;
}

/** Every figure of the statistics page. */
export interface CaseStatistics {
  counts: {
    byState: Record<string, number>; byViolation: Record<string, number>; byGrid: Record<string, number>; byZone: Record<string, number>;
    /** Cases past their current stage's deadline, by state. */
    overdueByState: Record<string, number>;
  };
  areaM2: { found: number; demolished: number };
  closure: { overall: Closure; byGrid: Record<string, Closure> };
  fieldPrecision: { overall: Precision; byGrid: Record<string, Precision>; byViolation: Record<string, Precision>; byChangeKind: Record<string, Precision>; byModel: Record<string, Precision> };
}

/** Key for cases outside every grid, and for jobs that recorded no model. */
export const noneKey = '(none)';

/** Computes the statistics over every case. */
export async function caseStatistics(knex: Knex, deadlines: StageDeadlines): Promise<CaseStatistics> {
  const count = async (key: string, where = 'true', bindings: Knex.RawBinding[] = []) => {
    const rows = (await knex.raw(`SELECT ${key} AS key, count(*) AS n FROM cases c WHERE ${where} GROUP BY 1 ORDER BY 1`, bindings)).rows as { key: string | null; n: string }[];
    return Object.fromEntries(rows.map((r) => [r.key ?? noneKey, Number(r.n)]));
  };
  const area = (await knex.raw(`SELECT coalesce(sum(area_m2), 0) AS found, coalesce(sum(area_m2) FILTER (WHERE state IN ('reinspected', 'closed')), 0) AS demolished FROM cases`)).rows[0];
  const closure = await closureByGrid(knex, deadlines);
  const precision = await precisionByGroup(knex);
  return {
    counts: {
      byState: await count('c.state'), byViolation: await count('c.violation'), byGrid: await count('c.grid_id'), byZone: await count('unnest(c.zones)'),
      // a state without a deadline has none in the JSON, so its cases are never overdue
      overdueByState: await count('c.state', `${stateSinceSql} + (?::jsonb ->> c.state)::float8 * interval '1 day' < now()`, [JSON.stringify(deadlines)]),
    },
    areaM2: { found: Number(area.found), demolished: Number(area.demolished) },
    closure: { overall: closure.get(null) ?? toClosure({}), byGrid: Object.fromEntries([...closure].filter(([k]) => k !== null) as [string, Closure][]) },
    fieldPrecision: {
      overall: precision.get('all') ?? toPrecision({}),
      byGrid: groupOf(precision, 'grid'), byViolation: groupOf(precision, 'violation'), byChangeKind: groupOf(precision, 'change_kind'), byModel: groupOf(precision, 'model'),
    },
  };
}

/** Closure per grid (keyed by grid id, `noneKey` outside grids) and overall (keyed null). */
async function closureByGrid(knex: Knex, deadlines: StageDeadlines): Promise<Map<string | null, Closure>> {
  const result = await knex.raw(
    `WITH stages AS (
       SELECT case_id, to_state AS state, at, lead(at) OVER (PARTITION BY case_id ORDER BY seq) AS left_at
       FROM case_events WHERE from_state IS DISTINCT FROM to_state),
     late AS (
       SELECT DISTINCT case_id FROM stages
       WHERE left_at - at > (?::jsonb ->> state)::float8 * interval '1 day'),
     closed_at AS (SELECT case_id, max(at) AS at FROM case_events WHERE to_state = 'closed' GROUP BY case_id)
     SELECT GROUPING(c.grid_id) AS overall, coalesce(c.grid_id, ?) AS grid,
       count(*) FILTER (WHERE c.state IN ('verified_illegal', 'disposing', 'reinspected', 'closed')) AS confirmed,
       count(*) FILTER (WHERE c.state = 'closed') AS closed,
       count(*) FILTER (WHERE c.state = 'closed' AND late.case_id IS NULL) AS closed_on_time,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM closed_at.at - c.detected_at) / 86400) FILTER (WHERE c.state = 'closed') AS median_days
     FROM cases c LEFT JOIN late ON late.case_id = c.id LEFT JOIN closed_at ON closed_at.case_id = c.id
     GROUP BY GROUPING SETS ((c.grid_id), ())`,
    [JSON.stringify(deadlines), noneKey],
  );
  return new Map(result.rows.map((r: Record<string, unknown>) => [Number(r.overall) === 1 ? null : String(r.grid), toClosure(r)]));
}

/** Precision keyed `all`, or `<dimension>:<value>` for grid, violation, change_kind and model. */
async function precisionByGroup(knex: Knex): Promise<Map<string, Precision>> {
  const result = await knex.raw(
    `WITH verdicts AS (
       SELECT DISTINCT ON (case_id) case_id, to_state FROM case_events
       WHERE from_state = 'dispatched' AND to_state IN ('verified_illegal', 'verified_legal', 'false_positive')
       ORDER BY case_id, seq DESC)
     SELECT GROUPING(c.grid_id) AS g, GROUPING(c.violation) AS v, GROUPING(c.change_kind) AS k, GROUPING(j.model) AS m,
       c.grid_id, c.violation, c.change_kind, j.model,
       count(*) FILTER (WHERE v.to_state = 'verified_illegal') AS verified_illegal,
       count(*) FILTER (WHERE v.to_state = 'verified_legal') AS verified_legal,
       count(*) FILTER (WHERE v.to_state = 'false_positive') AS false_positive
     FROM verdicts v JOIN cases c ON c.id = v.case_id JOIN jobs j ON j.id = c.first_job_id
     GROUP BY GROUPING SETS ((c.grid_id), (c.violation), (c.change_kind), (j.model), ())`,
  );
  const groups = new Map<string, Precision>();
  for (const r of result.rows as Record<string, unknown>[]) {
    const dimension = Number(r.g) === 0 ? 'grid' : Number(r.v) === 0 ? 'violation' : Number(r.k) === 0 ? 'change_kind' : Number(r.m) === 0 ? 'model' : 'all';
    const column = dimension === 'grid' ? 'grid_id' : dimension;
    groups.set(dimension === 'all' ? 'all' : `${dimension}:${(r[column] as string | null) ?? noneKey}`, toPrecision(r));
  }
  return groups;
}

function groupOf(groups: Map<string, Precision>, dimension: string): Record<string, Precision> {
  const prefix = `${dimension}:`;
  return Object.fromEntries([...groups].filter(([key]) => key.startsWith(prefix)).map(([key, value]) => [key.slice(prefix.length), value]));
}

function toClosure(r: Record<string, unknown>): Closure {
  const confirmed = Number(r.confirmed ?? 0);
  const closed = Number(r.closed ?? 0);
  const closedOnTime = Number(r.closed_on_time ?? 0);
  return {
    confirmed, closed, closureRate: confirmed > 0 ? closed / confirmed : null, closedOnTime, onTimeRate: closed > 0 ? closedOnTime / closed : null,
    medianDaysToClose: r.median_days === null || r.median_days === undefined ? null : Number(r.median_days),
  };
}

function toPrecision(r: Record<string, unknown>): Precision {
  const verifiedIllegal = Number(r.verified_illegal ?? 0);
  const verifiedLegal = Number(r.verified_legal ?? 0);
  const falsePositive = Number(r.false_positive ?? 0);
  const all = verifiedIllegal + verifiedLegal + falsePositive;
  return { verifiedIllegal, verifiedLegal, falsePositive, precision: all > 0 ? verifiedIllegal / all : null };
}
