/**
 * The verification service for tests: a fresh database on one backend with two grids (WG-01,
 * WG-02) side by side in EPSG:4549 and a historic zone (HZ-1) in a corner of WG-01, a user and
 * token per role (the officer assigned WG-01 only, a second officer WG-02), cases emitted by the
 * real overlay from hand-made candidates, and the app built on it for `inject`.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Database } from '../db/connect.js';
import { ensureProjectEpsg } from '../db/project-crs.js';
import { addUser, createToken } from '../db/users.js';
import type { Candidate } from '../pipeline/candidate.js';
import { overlayAndEmit } from '../pipeline/overlay/index.js';
import { buildApp, type AppOptions } from '../server/app.js';
import { E, N, testGrid } from './candidates.js';
import { openTestDatabase } from './database.js';


/** A service under test. */
export interface TestService {
  db: Database;
  app: FastifyInstance;
  dir: string;
  evidenceDir: string;
  /** Bearer header per user: analyst, reviewer, officer (WG-01), officer2 (WG-02), supervisor, admin. */
  auth: Record<'analyst' | 'reviewer' | 'officer' | 'officer2' | 'supervisor' | 'admin', { authorization: string }>;
  /** Runs a detect job's overlay on the candidates (each with one JPEG chip); returns case ids by candidate id. */
  detect(afterDate: string, candidates: Candidate[], model?: string): Promise<Map<string, number>>;
  close(): Promise<void>;
}

/** A grey 1×1 JPEG with `text` in a comment segment: a photo that decodes, different for each text. */
export function jpegBytes(text: string): Buffer {
  const comment = Buffer.from(text);
  const header = Buffer.from([0xff, 0xfe, 0, 0]);
  header.writeUInt16BE(comment.length + 2, 2);
  return Buffer.concat([tinyJpeg.subarray(0, 2), header, comment, tinyJpeg.subarray(2)]);
}

const tinyJpeg = Buffer.from(
  '/9j/2wBDABALDA4MChAODQ4SERATGCgaGBYWGDEjJR0oOjM9PDkzODdASFxOQERXRTc4UG1RV19iZ2hnPk1xeXBkeFxlZ2P/2wBDARESEhgVGC8aGi9jQjhCY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2P/' +
    'wAARCAABAAEDASIAAhEBAxEB/8QAFAABAAAAAAAAAAAAAAAAAAAAAP/EABQQAQAAAAAAAAAAAAAAAAAAAAD/xAAUAQEAAAAAAAAAAAAAAAAAAAAA/8QAFBEBAAAAAAAAAAAAAAAAAAAAAP/aAAwDAQACEQMRAD8AAA//2Q==',
  'base64',
);

/** Opens the service on `backend`. */
export async function openTestService(backend: Database['backend'], options: Partial<AppOptions> = {}): Promise<TestService> {
  const db = await openTestDatabase(backend);
  const dir = await mkdtemp(join(tmpdir(), 'zhiwei-service-'));
  const evidenceDir = join(dir, 'evidence');
  await ensureProjectEpsg(db.knex, 4549);
  const square = (x0: number, x1: number) => `ST_GeomFromText('MULTIPOLYGON(((${E + x0} ${N},${E + x1} ${N},${E + x1} ${N + 500},${E + x0} ${N + 500},${E + x0} ${N})))', 4549)`;
  await db.knex('grids').insert([
    { grid_id: 'WG-01', street: '东街道', geom: db.knex.raw(square(0, 200)) },
    { grid_id: 'WG-02', street: '西街道', geom: db.knex.raw(square(200, 400)) },
  ]);
  await db.knex('zones').insert({ zone_id: 'HZ-1', kind: 'historic', name: '老街', priority: 1.5, geom: db.knex.raw(`ST_GeomFromText('MULTIPOLYGON(((${E} ${N},${E + 35} ${N},${E + 35} ${N + 35},${E} ${N + 35},${E} ${N})))', 4549)`) });
  // one plan far away, so that the overlay judges against plans at all
  await db.knex('plans').insert({ permit_no: 'P-1', kind: 'new_building', geom: db.knex.raw(`ST_GeomFromText('MULTIPOLYGON(((0 0,1 0,1 1,0 0)))', 4549)`) });
  const auth = {} as TestService['auth'];
  for (const [name, role, grids] of [
    ['analyst', 'analyst', []], ['reviewer', 'reviewer', []], ['officer', 'officer', ['WG-01']], ['officer2', 'officer', ['WG-02']],
    ['supervisor', 'supervisor', []], ['admin', 'admin', []],
  ] as const) {
    await addUser(db.knex, name, role, [...grids]);
    auth[name] = { authorization: `Bearer ${(await createToken(db.knex, name)).token}` };
  }
  const app = await buildApp({ db, evidenceDir, writesPerMinute: 1000, ...options });
  const detect = async (afterDate: string, candidates: Candidate[], model = 'tiny-cd') => {
    const outputDir = join(dir, `out-${afterDate}`);
    const evidence = [];
    for (const c of candidates) {
      await mkdir(join(outputDir, 'evidence', c.id), { recursive: true });
      await writeFile(join(outputDir, 'evidence', c.id, 'after.jpg'), jpegBytes(`chip of ${c.id} on ${afterDate}`));
      evidence.push({ candidate: c, evidence: [`evidence/${c.id}/after.jpg`] });
    }
    const job = { spec: {}, model, beforeDate: null, afterDate, outDir: outputDir, summary: {} };
    const result = await overlayAndEmit(db, job, testGrid, evidence, { outputDir, evidenceDir });
    return new Map([...result.verdicts].filter(([, v]) => v.caseId !== null).map(([id, v]) => [id, v.caseId as number]));
  };
  return {
    db, app, dir, evidenceDir, auth, detect,
    close: async () => {
      await app.close();
      await db.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A multipart/form-data body with text fields and `photo` files (named as a hostile client might), for `inject`. */
export function multipart(
  fields: Record<string, string>,
  photos: Buffer[],
  fileField = 'photo',
  fileName = (i: number) => `../../etc/photo-${i}.jpg`,
): { payload: Buffer; headers: Record<string, string> } {
  const boundary = '----zhiwei-test-boundary';
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  }
  photos.forEach((content, i) => {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${fileField}"; filename="${fileName(i)}"\r\nContent-Type: image/jpeg\r\n\r\n`), content, Buffer.from('\r\n'));
  });
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(parts), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}
