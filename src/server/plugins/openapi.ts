/**
 * The OpenAPI document at `/api/docs/json` and a readable page at `/api/docs`. Each API route's
 * roles are written into its description and its security requirement, from its `config.roles`,
 * so the document cannot drift from what the service enforces.
 */
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';

/** Registers the document and the page; routes registered afterwards appear in them. */
export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'zhiwei verification service',
        description: 'Cases of suspected illegal construction found from drone flights: list, review, field verification, statistics (治违).',
        version: '1',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'a token from `zhiwei tokens create USER`' } } },
    },
    transform: ({ schema, url, route }) => {
      const roles = route.config?.roles;
      if (!roles) return { schema: { ...schema, security: [] }, url };
      const who = `Roles: ${[...roles, 'admin'].join(', ')}.`;
      return { schema: { ...schema, description: schema?.description ? `${schema.description}\n\n${who}` : who, security: [{ bearer: [] }] }, url };
    },
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs' });
}
