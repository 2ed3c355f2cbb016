import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importLayer } from '../plans/import.js';
import { runCli } from '../test-support/cli.js';
import { cliDatabase, type CliDatabase } from '../test-support/database.js';

const fixturePlans = fileURLToPath(new URL('../../fixtures/scene/plans.geojson', import.meta.url));

describe('zhiwei plans import', () => {
  let database: CliDatabase;
  beforeAll(async () => {
    database = await cliDatabase('layers-cli');
    await database.use((db) => importLayer(db, 'plans', fixturePlans));
  });
  afterAll(() => database?.remove());

  it('refuses a plan moved by kilometres with exit code 2 and a hint, and takes it with --allow-move', async () => {
    const plans = JSON.parse(await readFile(fixturePlans, 'utf8'));
    plans.features[0].geometry.coordinates = plans.features[0].geometry.coordinates.map((ring: number[][]) => ring.map(([lon, lat]) => [lon, lat + 0.03]));
    const moved = join(database.dir, 'plans.geojson');
    await writeFile(moved, JSON.stringify(plans));
    const refused = await runCli(['plans', 'import', moved], undefined, database.env);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^zhiwei: plans.geojson: row 1 \(permit_no \S+\) would move more than 1 km from where it is stored \(row 1 by 3\.\d km\)\n {2}hint: .*pass --allow-move\n$/);
    const allowed = await runCli(['plans', 'import', moved, '--allow-move'], undefined, database.env);
    expect(allowed).toMatchObject({ code: 0, stdout: 'plans.geojson: 51 plans imported (0 new, 1 updated, 50 as stored), project CRS EPSG:4549\n' });
  });
});
