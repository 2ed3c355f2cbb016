/**
 * The web pages (DESIGN.md section 7): the map review page at `/review` and the phone-sized
 * field page at `/field` and `/field/:caseId`, their scripts and styles under `/web/`, and
 * MapLibre GL from its npm package under `/vendor/maplibre-gl/` (no CDN: the pages work on a
 * network without internet). The pages sign in with a token and call the API like any client.
 */
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync } from 'fastify';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The `web/` folder at the root of the package (from `src/server/routes` or `dist/server/routes`). */
export const webDir = fileURLToPath(new URL('../../../web/', import.meta.url));
const mapLibreDir = join(dirname(createRequire(import.meta.url).resolve('maplibre-gl/package.json')), 'dist');

/** The page routes and their static files. */
export const webRoutes: FastifyPluginAsync = async (app) => {
  await app.register(fastifyStatic, { root: webDir, prefix: '/web/', maxAge: '5m' });
  await app.register(fastifyStatic, { root: mapLibreDir, prefix: '/vendor/maplibre-gl/', decorateReply: false, maxAge: '1d', allowedPath: (path) => /\.(mjs|css)$/.test(path) });
  const page = (file: string) => async (_request: unknown, reply: { sendFile: (name: string, options: object) => unknown }) => reply.sendFile(file, { maxAge: 0 });
  app.get('/', { schema: { hide: true } }, async (_request, reply) => reply.redirect('/review'));
  app.get('/review', { schema: { hide: true } }, page('review.html'));
  app.get('/field', { schema: { hide: true } }, page('field.html'));
  app.get('/field/:caseId(^\\d+$)', { schema: { hide: true } }, page('field.html'));
};
