/**
 * Cases in a test database, made the way `zhiwei detect` makes them: three hand-made candidates
 * near (500000, 3350000) in EPSG:4549 with real JPEG/PNG chips, judged against one plan and one
 * grid by the overlay, and emitted with their evidence into a store.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import type { Database } from '../db/connect.js';
import { ensureProjectEpsg } from '../db/project-crs.js';
import { overlayAndEmit, type OverlayResult } from '../pipeline/overlay/index.js';
import { candidate, E, N, testGrid } from './candidates.js';


/** The permit the second candidate exceeds, and the grid holding the first two. */
export const samplePermit = 'GH-2024-017';
export const sampleGrid = 'WG-东湖-01';

function squareWkt([x0, y0, x1, y1]: number[]): string {
  return `MULTIPOLYGON(((${E + x0} ${N + y0},${E + x1} ${N + y0},${E + x1} ${N + y1},${E + x0} ${N + y1},${E + x0} ${N + y0})))`;
}

/**
 * Emits three cases flown on 2024-10-01: c1 no permit (in the grid), c2 above the permitted height of
 * `samplePermit` (in the grid), c3 no permit outside any grid. Chips are written under `workDir`.
 */
export async function emitSampleCases(db: Database, workDir: string, evidenceDir: string): Promise<OverlayResult> {
  await ensureProjectEpsg(db.knex, 4549);
  await db.knex('plans').insert({ permit_no: samplePermit, kind: 'new_building', permitted_height_m: 6, geom: db.knex.raw(`ST_GeomFromText(?, 4549)`, [squareWkt([48, -2, 64, 12])]) });
  await db.knex('grids').insert({ grid_id: sampleGrid, geom: db.knex.raw(`ST_GeomFromText(?, 4549)`, [squareWkt([-20, -20, 100, 100])]) });
  const candidates = [candidate('c1', 'new_building', [0, 0, 10, 10], 9), candidate('c2', 'new_building', [50, 0, 62, 10], 12), candidate('c3', 'ground_structure', [200, 200, 205, 205], 3)];
  const evidence = [];
  for (const [i, c] of candidates.entries()) {
    const folder = join(workDir, 'evidence', c.id);
    await mkdir(folder, { recursive: true });
    const image = (r: number, g: number, b: number) => sharp({ create: { width: 48, height: 48, channels: 3, background: { r, g, b } } });
    await image(60, 140, 60).jpeg().toFile(join(folder, 'before.jpg'));
    await image(180, 40 * i, 60).jpeg().toFile(join(folder, 'after.jpg'));
    await image(230, 20, 20 * i).png().toFile(join(folder, 'height-change.png'));
    evidence.push({ candidate: c, evidence: ['before.jpg', 'after.jpg', 'height-change.png'].map((name) => `evidence/${c.id}/${name}`) });
  }
  const job = { spec: {}, model: null, beforeDate: '2024-06-01', afterDate: '2024-10-01', outDir: workDir, summary: {} };
  return overlayAndEmit(db, job, testGrid, evidence, { outputDir: workDir, evidenceDir });
}
