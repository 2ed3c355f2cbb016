/**
 * Authentication and roles: every API route needs `Authorization: Bearer <token>` of an active
 * user (else 401), and states in its `config.roles` who may call it (else 403; an admin may call
 * any). An officer's scope is the grids assigned to them: cases elsewhere do not exist for them.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { CaseScope } from '../../cases/read.js';
import type { Database } from '../../db/connect.js';
import { userForToken, type Role, type User } from '../../db/users.js';
import { ForbiddenError, UnauthorizedError } from '../../errors.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Roles that may call the route (an admin always may). */
    roles?: Role[];
  }
  interface FastifyRequest {
    /** The caller, set on API routes. */
    user: User | null;
  }
}

const tokenHint = 'send Authorization: Bearer <token>; zhiwei tokens create USER makes one';

/** Adds the token check and the role check to every route of `api`. */
export function requireToken(api: FastifyInstance, db: Database): void {
  api.decorateRequest('user', null);
  api.addHook('onRequest', async (request) => {
    const header = request.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw new UnauthorizedError('this route needs a bearer token', tokenHint);
    const user = await userForToken(db.knex, match[1]);
    if (!user) throw new UnauthorizedError('the token is unknown or revoked, or its user is inactive', tokenHint);
    request.user = user;
    const roles = request.routeOptions.config.roles;
    if (!roles) throw new Error(`route ${request.routeOptions.url} declares no roles`);
    if (user.role !== 'admin' && !roles.includes(user.role)) {
      throw new ForbiddenError(`${request.method} ${request.routeOptions.url} is for ${[...roles, 'admin'].join(', ')}; ${user.name} is ${user.role}`);
    }
  });
}

/** The signed-in caller (API routes only). */
export function caller(request: FastifyRequest): User {
  if (!request.user) throw new Error('caller() on a route without authentication');
  return request.user;
}

/** The cases the caller may see: an officer only those in their grids. */
export function caseScope(request: FastifyRequest): CaseScope {
  const user = caller(request);
  return { grids: user.role === 'officer' ? user.grids : null };
}
