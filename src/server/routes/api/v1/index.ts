/**
 * The API under `/api/v1` (behind tokens and roles, see `plugins/auth.ts`): cases and their
 * transitions and chain check, the building register, evidence files, statistics, exports, and the
 * reference layers (plans, zones, grids: list and import), and the signed-in user (`/me`).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppContext } from '../../../context.js';
import { buildingRoutes } from './buildings/index.js';
import { caseRoutes } from './cases/index.js';
import { evidenceRoutes } from './evidence.js';
import { exportRoutes } from './exports.js';
import { jobRoutes } from './jobs/index.js';
import { layerRoutes } from './layers/index.js';
import { meRoutes } from './me.js';
import { statisticsRoutes } from './statistics.js';
import { tileRoutes } from './tiles.js';

/** Every API route. */
export const apiRoutes: FastifyPluginAsyncTypebox<AppContext> = async (api, context) => {
  await api.register(caseRoutes, context);
  await api.register(buildingRoutes, context);
  await api.register(evidenceRoutes, context);
  await api.register(statisticsRoutes, context);
  await api.register(exportRoutes, context);
  await api.register(jobRoutes, context);
  await api.register(layerRoutes, context);
  await api.register(tileRoutes, context);
  await api.register(meRoutes, context);
};
