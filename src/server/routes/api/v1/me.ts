/**
 * `GET /api/v1/me`: who the token belongs to, their grids, and the case actions their role may
 * take (read off the lifecycle), so that the web pages offer only the buttons that can work.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { CASE_ACTIONS } from '../../../../cases/transitions.js';
import type { AppContext } from '../../../context.js';
import { caller } from '../../../plugins/auth.js';

const Me = Type.Object({
  name: Type.String(),
  role: Type.String(),
  grids: Type.Array(Type.String(), { description: "an officer's grids (empty for other roles)" }),
  actions: Type.Array(
    Type.Object({ action: Type.String({ description: 'sub-route: POST /cases/:id/<action>' }), to: Type.String(), from: Type.Array(Type.String()) }),
  ),
});

/** The signed-in user route. */
export const meRoutes: FastifyPluginAsyncTypebox<AppContext> = async (app) => {
  app.get(
    '/me',
    { config: { roles: ['analyst', 'reviewer', 'officer', 'supervisor'] }, schema: { summary: 'the signed-in user, their grids and the case actions they may take', response: { 200: Me } } },
    async (request) => {
      const user = caller(request);
      const actions = CASE_ACTIONS.filter((a) => user.role === 'admin' || a.roles.includes(user.role));
      return { name: user.name, role: user.role, grids: user.grids, actions: actions.map(({ action, to, from }) => ({ action, to, from })) };
    },
  );
};
