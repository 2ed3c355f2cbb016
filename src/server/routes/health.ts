/**
 * `/healthz`: the process is up. `/readyz`: the database answers and its schema is current.
 * Neither needs a token (load balancers and orchestrators call them).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { pendingMigrations } from '../../db/migrations/index.js';
import type { AppContext } from '../context.js';
import { retryAfterSeconds, sendProblem } from '../plugins/errors.js';

const Status = Type.Object({ status: Type.String() });

/** The health and readiness routes. */
export const healthRoutes: FastifyPluginAsyncTypebox<AppContext> = async (app, context) => {
  app.get('/healthz', { schema: { summary: 'the process is up', response: { 200: Status } } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { summary: 'the database is reachable and its migrations are current', response: { 200: Status } } }, async (request, reply) => {
    try {
      const pending = await pendingMigrations(context.db.knex, context.db.schema);
      if (pending.length > 0) return sendProblem(reply, 503, `the database schema is behind: ${pending.join(', ')} not run`);
    } catch (err) {
      request.log.warn({ err }, 'readiness check failed');
      reply.header('retry-after', String(retryAfterSeconds));
      return sendProblem(reply, 503, 'the database does not answer');
    }
    return { status: 'ready' };
  });
};
