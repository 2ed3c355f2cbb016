/**
 * `GET /api/v1/statistics`: counts, areas, closure and field precision (see `cases/statistics.ts`).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { caseStatistics, type Closure, type Precision } from '../../../../cases/statistics.js';
import type { AppContext } from '../../../context.js';
import { centimetres, Nullable } from './schemas.js';

const Counts = Type.Record(Type.String(), Type.Integer());
const ClosureSchema = Type.Object({
  confirmed: Type.Integer({ description: 'cases verified illegal, in that state or further on' }),
  closed: Type.Integer(),
  closure_rate: Nullable(Type.Number({ description: 'closed / confirmed' })),
  closed_on_time: Type.Integer({ description: 'closed with no stage past its deadline' }),
  on_time_rate: Nullable(Type.Number({ description: 'closed_on_time / closed' })),
  median_days_to_close: Nullable(Type.Number({ description: 'from detection to closure' })),
});
const PrecisionSchema = Type.Object({
  verified_illegal: Type.Integer(),
  verified_legal: Type.Integer(),
  false_positive: Type.Integer(),
  precision: Nullable(Type.Number({ description: 'verified_illegal / all verdicts' })),
});
const Statistics = Type.Object({
  counts: Type.Object({
    by_state: Counts, by_violation: Counts, by_grid: Counts, by_zone: Counts,
    overdue_by_state: Type.Record(Type.String(), Type.Integer(), { description: 'cases past their current stage\'s deadline' }),
  }),
  area_m2: Type.Object({ found: Type.Number({ description: 'all cases' }), demolished: Type.Number({ description: 'cases re-inspected or closed after disposal' }) }),
  closure: Type.Object({ overall: ClosureSchema, by_grid: Type.Record(Type.String(), ClosureSchema) }),
  field_precision: Type.Object({
    overall: PrecisionSchema,
    by_grid: Type.Record(Type.String(), PrecisionSchema),
    by_violation: Type.Record(Type.String(), PrecisionSchema),
    by_change_kind: Type.Record(Type.String(), PrecisionSchema),
    by_model: Type.Record(Type.String(), PrecisionSchema),
  }),
});

/** The statistics route. */
export const statisticsRoutes: FastifyPluginAsyncTypebox<AppContext> = async (app, context) => {
  app.get(
    '/statistics',
    {
      config: { roles: ['analyst', 'reviewer', 'supervisor'] },
      schema: { summary: 'case counts, areas, closure and field precision', response: { 200: Statistics } },
    },
    async () => {
      const s = await caseStatistics(context.db.knex, context.deadlines);
      return {
        counts: {
          by_state: s.counts.byState, by_violation: s.counts.byViolation, by_grid: s.counts.byGrid, by_zone: s.counts.byZone, overdue_by_state: s.counts.overdueByState,
        },
        area_m2: { found: centimetres(s.areaM2.found), demolished: centimetres(s.areaM2.demolished) },
        closure: { overall: closure(s.closure.overall), by_grid: mapValues(s.closure.byGrid, closure) },
        field_precision: {
          overall: precision(s.fieldPrecision.overall), by_grid: mapValues(s.fieldPrecision.byGrid, precision),
          by_violation: mapValues(s.fieldPrecision.byViolation, precision), by_change_kind: mapValues(s.fieldPrecision.byChangeKind, precision),
          by_model: mapValues(s.fieldPrecision.byModel, precision),
        },
      };
    },
  );
};

function closure(c: Closure) {
  return { confirmed: c.confirmed, closed: c.closed, closure_rate: c.closureRate, closed_on_time: c.closedOnTime, on_time_rate: c.onTimeRate, median_days_to_close: c.medianDaysToClose };
}

function precision(p: Precision) {
  return { verified_illegal: p.verifiedIllegal, verified_legal: p.verifiedLegal, false_positive: p.falsePositive, precision: p.precision };
}

function mapValues<T, U>(record: Record<string, T>, f: (value: T) => U): Record<string, U> {
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [key, f(value)]));
}
