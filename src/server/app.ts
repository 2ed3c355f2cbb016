/**
 * The verification service as a Fastify plugin (DESIGN.md section 7): problem+json errors, the
 * OpenAPI document, health and readiness without authentication, the web pages (which sign in
 * like any client), and the API under `/api/v1` behind tokens and roles. `buildApp` makes a
 * ready instance of it; `server.ts` only listens.
 */
import compress from '@fastify/compress';
import multipart from '@fastify/multipart';
import rateLimit from '@fastify/rate-limit';
import { dirname, join } from 'node:path';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { stageDeadlines, type StageDeadlines } from '../cases/deadlines.js';
import { photoMaxBytes, photoMaxCount } from '../cases/photos.js';
import type { Database } from '../db/connect.js';
import type { AppContext } from './context.js';
import { startJobRunner } from './job-runner.js';
import { requireToken } from './plugins/auth.js';
import { registerErrorHandling } from './plugins/errors.js';
import { refuseUnstorableValues } from './plugins/input-values.js';
import { registerOpenApi } from './plugins/openapi.js';
import { apiRoutes } from './routes/api/v1/index.js';
import { healthRoutes } from './routes/health.js';
import { webRoutes } from './routes/web.js';

/** What the service runs on. */
export interface AppOptions {
  db: Database;
  /** The evidence store (`<data dir>/evidence`). */
  evidenceDir: string;
  /** Where submitted jobs write their outputs unless they say (default: `jobs/` beside the evidence store). */
  jobsDir?: string;
  /** Days per stage; the defaults with ZHIWEI_DEADLINES over them when not given. */
  deadlines?: StageDeadlines;
  /** Writes (transitions) one user may make per minute. */
  writesPerMinute?: number;
}

/** The service as a plugin on `app`; its job runner runs until the app closes. */
export async function zhiweiApp(app: FastifyInstance, options: AppOptions): Promise<void> {
  const jobs = startJobRunner(options.db, {
    evidenceDir: options.evidenceDir,
    onError: (err, message) => app.log.error({ err }, message),
    log: (line) => app.log.info(line),
  });
  // closing stops the runner cleanly: no job is lost (see job-runner.ts)
  app.addHook('onClose', () => jobs.stop());
  const context: AppContext = {
    db: options.db, evidenceDir: options.evidenceDir, jobsDir: options.jobsDir ?? join(dirname(options.evidenceDir), 'jobs'), jobs,
    deadlines: options.deadlines ?? stageDeadlines(), writesPerMinute: options.writesPerMinute ?? 60,
  };
  registerErrorHandling(app);
  refuseUnstorableValues(app);
  // JSON, the pages' scripts and vector tiles shrink several times with gzip (MapLibre 1.1 MB to 0.3 MB;
  // phones on mobile data, the district's zoom-12 tile); images are already compressed. Before every route.
  await app.register(compress, { encodings: ['gzip'], globalDecompression: false, customTypes: /^application\/vnd\.mapbox-vector-tile$/ });
  await registerOpenApi(app);
  await app.register(rateLimit, { global: false, hook: 'preHandler', keyGenerator: (request) => request.user?.name ?? request.ip });
  await app.register(multipart, { limits: { fileSize: photoMaxBytes, files: photoMaxCount, fields: 10, fieldSize: 10_000, parts: photoMaxCount + 10 } });
  await app.register(healthRoutes, context);
  await app.register(webRoutes);
  await app.register(
    async (api) => {
      requireToken(api, context.db);
      // the API takes JSON and multipart/form-data only
      api.removeContentTypeParser('text/plain');
      await api.register(apiRoutes, context);
    },
    { prefix: '/api/v1' },
  );
}

/** A ready app instance (for `server.ts` and for tests through `inject`). */
export async function buildApp(options: AppOptions, server: FastifyServerOptions = {}): Promise<FastifyInstance> {
  // unknown fields are refused (naming them), not silently dropped as Fastify does by default
  const app = Fastify({ bodyLimit: 1024 * 1024, ajv: { customOptions: { removeAdditional: false } }, ...server });
  await zhiweiApp(app, options);
  await app.ready();
  return app;
}
