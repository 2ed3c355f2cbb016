/**
 * Listing cases with the filters a reviewer uses on the map and a bureau uses for a report:
 * state, violation, change kind, grid, zone, least priority, a WGS84 bounding box, the flight
 * date range and the job that found them; a page at a time, by offset or by cursor.
 */
import type { Knex } from 'knex';
import { projectEpsg } from '../db/project-crs.js';
import { BadInputError } from '../errors.js';
import type { Wgs84Bbox } from '../geo/bbox.js';
import type { StageDeadlines } from './deadlines.js';
import { caseColumns, scopedConditions, toCasesWithClock, type CaseScope, type CaseWithClock } from './read.js';

/** Orders a list can come in: highest priority, largest area, or newest first. */
export const CASE_SORTS = Object.freeze(['priority', 'area', 'newest'] as const);

/** One of `CASE_SORTS`. */
export type CaseSort = (typeof CASE_SORTS)[number];

/** Which cases: the filters the list and the map tiles share; every one is optional. */
export interface CaseSelection {
  states?: string[];
  violations?: string[];
  changeKinds?: string[];
  grids?: string[];
  zones?: string[];
  priorityMin?: number;
  bbox?: Wgs84Bbox;
  /** Flight dates (YYYY-MM-DD), both inclusive. */
  flownFrom?: string;
  flownTo?: string;
  jobId?: number;
}

/** What to list: a selection, in an order, a page at a time. */
export interface CaseFilter extends CaseSelection {
  sort?: CaseSort;
  limit: number;
  offset?: number;
  /** Where the previous page ended (its `nextCursor`). */
  cursor?: string;
}

/** One page of cases. */
export interface CasePage {
  cases: CaseWithClock[];
  /** Cursor of the next page; null on the last one. */
  nextCursor: string | null;
}

const sortColumns: Record<CaseSort, string> = { priority: 'c.priority', area: 'c.area_m2', newest: 'c.id' };

/** Lists a page of cases in scope, in the requested order (ties broken by newest first). */
export async function listCases(knex: Knex, filter: CaseFilter, scope: CaseScope, deadlines: StageDeadlines): Promise<CasePage> {
  const epsg = await projectEpsg(knex);
  if (epsg === null) return { cases: [], nextCursor: null };
  const sort = sortColumns[filter.sort ?? 'priority'];
  const [conditions, bindings] = filterConditions(filter, scope, epsg);
  if (filter.cursor !== undefined) {
    if (filter.offset) throw new BadInputError('give either offset or cursor, not both');
    conditions.push(`(${sort}, c.id) < (?, ?)`);
    bindings.push(...decodeCursor(filter.cursor, filter.sort ?? 'priority'));
  }
  const result = await knex.raw(
    `SELECT ${caseColumns} FROM (
       SELECT * FROM cases c WHERE ${conditions.join(' AND ')} ORDER BY ${sort} DESC, c.id DESC LIMIT ? OFFSET ?
     ) c ORDER BY ${sort} DESC, c.id DESC`,
    [...bindings, filter.limit + 1, filter.offset ?? 0],
  );
  const rows = result.rows as Record<string, unknown>[];
  const more = rows.length > filter.limit;
  const cases = toCasesWithClock(rows.slice(0, filter.limit), epsg, deadlines);
  const last = rows[filter.limit - 1];
  return { cases, nextCursor: more ? encodeCursor(Number(last[sort.slice(2)]), Number(last.id)) : null };
}

/** SQL conditions (on alias `c`) and their bindings for the selection inside the scope. */
export function filterConditions(filter: CaseSelection, scope: CaseScope, epsg: number): [string[], Knex.RawBinding[]] {
  const { conditions, bindings, add, bbox } = scopedConditions(scope, epsg);
  if (filter.states?.length) add('c.state = ANY(?::text[])', filter.states);
  if (filter.violations?.length) add('c.violation = ANY(?::text[])', filter.violations);
  if (filter.changeKinds?.length) add('c.change_kind = ANY(?::text[])', filter.changeKinds);
  if (filter.grids?.length) add('c.grid_id = ANY(?::text[])', filter.grids);
  if (filter.zones?.length) add('c.zones && ?::text[]', filter.zones);
  if (filter.priorityMin !== undefined) add('c.priority >= ?', filter.priorityMin);
  if (filter.flownFrom) add('c.flight_date >= ?::date', filter.flownFrom);
  if (filter.flownTo) add('c.flight_date <= ?::date', filter.flownTo);
  if (filter.jobId !== undefined) add('EXISTS (SELECT 1 FROM candidates s WHERE s.case_id = c.id AND s.job_id = ?)', filter.jobId);
  if (filter.bbox) bbox(filter.bbox);
  return [conditions, bindings];
}

function encodeCursor(value: number, id: number): string {
  return Buffer.from(JSON.stringify([value, id])).toString('base64url');
}

function decodeCursor(cursor: string, sort: CaseSort): [number, number] {
  let parsed: unknown = null;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    // reported below
  }
  const valid = Array.isArray(parsed) && parsed.length === 2 && Number.isFinite(parsed[0]) && Number.isSafeInteger(parsed[1]) && (sort !== 'newest' || Number.isSafeInteger(parsed[0]));
  if (!valid) throw new BadInputError(`cursor "${cursor}" is not one this service gave out for sort=${sort}`);
  return parsed as [number, number];
}
