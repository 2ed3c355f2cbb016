import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../db/connect.js';
import { toWgs84 } from '../geo/crs.js';
import { openTestDatabase, testBackends } from '../test-support/database.js';
import { emitSampleCases, sampleGrid, samplePermit } from '../test-support/emitted-cases.js';
import { readCases, readDossiers } from './read-cases.js';

describe.each(testBackends())('reading cases for export on the %s backend', (backend) => {
  let db: Database;
  let dir: string;
  let jobId: number;
  let ids: Record<string, number>;

  beforeAll(async () => {
    db = await openTestDatabase(backend);
    dir = await mkdtemp(join(tmpdir(), 'zhiwei-read-cases-'));
    const result = await emitSampleCases(db, join(dir, 'out'), join(dir, 'store'));
    jobId = result.jobId;
    ids = Object.fromEntries([...result.verdicts].map(([local, verdict]) => [local, verdict.caseId!]));
  });
  afterAll(async () => {
    await db?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('reads every case with its findings and its outline in WGS84 and in the project CRS', async () => {
    const cases = await readCases(db.knex);
    expect(cases.map((c) => c.id)).toEqual([ids.c1, ids.c2, ids.c3].sort((a, b) => a - b));
    const c2 = cases.find((c) => c.id === ids.c2)!;
    expect(c2).toMatchObject({ state: 'detected', violation: 'exceeds_permitted_height', changeKind: 'new_building', gridId: sampleGrid, permitNo: samplePermit, areaM2: 120, heightChangeM: 12, flightDate: '2024-10-01' });
    expect(c2.detectedAt).toBeInstanceOf(Date);
    expect(c2.projectOutline.epsg).toBe(4549);
    expect(c2.projectOutline.coordinates[0][0]).toContainEqual([500050, 3350000]);
    const [lon, lat] = toWgs84(4549)([500050, 3350000]);
    const corner = c2.outline[0][0].find(([x, y]) => Math.abs(x - lon) < 1e-7 && Math.abs(y - lat) < 1e-7);
    expect(corner).toBeDefined();
  });

  it('selects by state, violation, grid, job and ids', async () => {
    const ofSelection = async (selection: Parameters<typeof readCases>[1]) => (await readCases(db.knex, selection)).map((c) => c.id);
    expect(await ofSelection({ violation: 'exceeds_permitted_height' })).toEqual([ids.c2]);
    expect(await ofSelection({ gridId: sampleGrid, violation: 'no_permit' })).toEqual([ids.c1]);
    expect(await ofSelection({ state: 'closed' })).toEqual([]);
    expect(await ofSelection({ jobId })).toHaveLength(3);
    expect(await ofSelection({ jobId: jobId + 1 })).toEqual([]);
    expect(await ofSelection({ ids: [ids.c3, 99999] })).toEqual([ids.c3]);
    expect(await ofSelection({ gridId: "WG' OR 1=1 --" })).toEqual([]);
  });

  it('reads dossiers with the event chain and the evidence files in the store', async () => {
    const [dossier] = await readDossiers(db.knex, await readCases(db.knex, { ids: [ids.c1] }), join(dir, 'store'));
    expect(dossier.events.map((e) => [e.seq, e.kind, e.toState])).toEqual([[1, 'detected', 'detected']]);
    expect(dossier.events[0].hash).toMatch(/^[0-9a-f]{64}$/);
    expect(dossier.evidence.map((e) => e.name).sort()).toEqual(['after.jpg', 'before.jpg', 'height-change.png']);
    for (const file of dossier.evidence) expect(existsSync(file.path)).toBe(true);
  });
});
