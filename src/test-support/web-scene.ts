/**
 * The fixture scene as the web pages see it: `zhiwei detect` run on `fixtures/scene/job.json`
 * (plans, grids and zones imported, cases emitted), users and tokens made with the CLI, and the
 * real `zhiwei serve` on it. The officer is assigned grids WG-01-01 and WG-01-02. A survey scene
 * instead: `zhiwei survey` on the small DSM of `survey-scene.ts` with one plan of the legal stock.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { toWgs84 } from '../geo/crs.js';
import { runCli } from './cli.js';
import { cliDatabase, type CliDatabase } from './database.js';
import { serve, type ServeProcess } from './serve.js';
import { surveyBoxes, surveyCorner, writeSurveyDsm } from './survey-scene.js';

const job = fileURLToPath(new URL('../../fixtures/scene/job.json', import.meta.url));
const grids = fileURLToPath(new URL('../../fixtures/scene/grids.geojson', import.meta.url));

/** The served scene. */
export interface WebScene {
  cli: CliDatabase;
  /** Bearer tokens by user: a reviewer `li.wei`, an officer `zhao.wei`, a supervisor `wang.fang`. */
  tokens: { reviewer: string; officer: string; supervisor: string };
  /** The running service (replaced by `restart`). */
  server: ServeProcess;
  /** Stops the service and waits for it to exit. */
  stop(): Promise<void>;
  /** Starts the service again on the same port. */
  start(): Promise<void>;
  close(): Promise<void>;
}

/** Detects the fixture scene into a fresh database named after `name`, adds the users and serves it. */
export async function openWebScene(name: string): Promise<WebScene> {
  const cli = await cliDatabase(name);
  const run = async (...args: string[]) => {
    const result = await runCli(args, undefined, cli.env);
    if (result.code !== 0) throw new Error(`zhiwei ${args.join(' ')} failed: ${result.stderr}`);
    return result.stdout.trim();
  };
  await run('detect', '--job', job, '--out', join(cli.dir, 'out'));
  await run('users', 'add', 'li.wei', '--role', 'reviewer');
  await run('users', 'add', 'zhao.wei', '--role', 'officer', '--grids', 'WG-01-01,WG-01-02');
  await run('users', 'add', 'wang.fang', '--role', 'supervisor');
  const tokens = { reviewer: await run('tokens', 'create', 'li.wei'), officer: await run('tokens', 'create', 'zhao.wei'), supervisor: await run('tokens', 'create', 'wang.fang') };
  const scene: WebScene = {
    cli, tokens, server: await serve(cli.env),
    stop: async () => {
      await scene.server.stop();
    },
    start: async () => {
      scene.server = await serve(cli.env, Number(new URL(scene.server.address).port));
    },
    close: async () => {
      if (scene.server.child.exitCode === null) await scene.server.stop();
      await cli.remove();
    },
  };
  return scene;
}

/** The served survey scene. */
export interface SurveyScene {
  cli: CliDatabase;
  /** Bearer token of the reviewer `li.wei`. */
  token: string;
  server: ServeProcess;
  /** The survey's flight date. */
  flightDate: string;
  /** The outline (WGS84 ring) of the legal building: the three-storey one, inside an existing_building plan. */
  legalBuilding: [number, number][];
  close(): Promise<void>;
}

/**
 * Surveys the small DSM of `survey-scene.ts` (a two-storey building with a stair room on its roof,
 * a three-storey one) flown on 2024-10-01 into a fresh database named after `name`, against one
 * plan of the legal stock (kind existing_building, 4 floors) around the three-storey building and
 * the fixture's grids, adds a reviewer and serves it. The two-storey building has no permit.
 */
export async function openSurveyScene(name: string): Promise<SurveyScene> {
  const cli = await cliDatabase(name);
  const run = async (...args: string[]) => {
    const result = await runCli(args, undefined, cli.env);
    if (result.code !== 0) throw new Error(`zhiwei ${args.join(' ')} failed: ${result.stderr}`);
    return result.stdout.trim();
  };
  const toLonLat = toWgs84(4549);
  const outline = ([x0, y0, x1, y1]: number[]) =>
    [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]].map(([x, y]) => toLonLat([surveyCorner[0] + x, surveyCorner[1] + y]) as [number, number]);
  const legal = surveyBoxes[2].box;
  const plan = {
    type: 'Feature',
    properties: { permit_no: '建字第2010001号', kind: 'existing_building', permitted_height_m: 13, permitted_floors: 4, valid_from: '2010-01-01', valid_to: null },
    geometry: { type: 'Polygon', coordinates: [outline([legal[0] - 1, legal[1] - 1, legal[2] + 1, legal[3] + 1])] },
  };
  const plans = join(cli.dir, 'plans.geojson');
  await writeFile(plans, JSON.stringify({ type: 'FeatureCollection', features: [plan] }));
  const dsm = await writeSurveyDsm(cli.dir);
  const flightDate = '2024-10-01';
  await run('survey', '--dsm', dsm, '--date', flightDate, '--plans', plans, '--grids', grids, '--out', join(cli.dir, 'out'));
  await run('users', 'add', 'li.wei', '--role', 'reviewer');
  const token = await run('tokens', 'create', 'li.wei');
  const server = await serve(cli.env);
  return {
    cli, token, server, flightDate, legalBuilding: outline(legal),
    close: async () => {
      if (server.child.exitCode === null) await server.stop();
      await cli.remove();
    },
  };
}
