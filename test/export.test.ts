/**
 * End to end: `zhiwei export` on a database made here (embedded, or the server when DATABASE_URL
 * is set) with cases emitted as detect emits them: each format written and read back, and the
 * refusals that write nothing.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/test-support/cli.js';
import { cliDatabase, type CliDatabase } from '../src/test-support/database.js';
import { insertSurvey } from '../src/test-support/buildings.js';
import { emitSampleCases, sampleGrid, samplePermit } from '../src/test-support/emitted-cases.js';
import { requireTool } from '../src/test-support/tools.js';

let cli: CliDatabase;
let dir: string;
let env: Record<string, string>;
let ids: Record<string, number>;

beforeAll(async () => {
  cli = await cliDatabase('export');
  ({ dir, env } = cli);
  const result = await cli.use((db) => emitSampleCases(db, join(dir, 'detect'), join(env.ZHIWEI_DATA_DIR, 'evidence')));
  ids = Object.fromEntries([...result.verdicts].map(([local, verdict]) => [local, verdict.caseId!]));
});
afterAll(() => cli?.remove());

describe('zhiwei export', () => {
  it('writes the cases of a grid as XLSX with Chinese headers', async () => {
    const out = join(dir, 'grid.xlsx');
    const run = await runCli(['export', '--format', 'xlsx', '--out', out, '--chinese-headers', '--grid', sampleGrid], undefined, env);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`2 cases written to ${out} (xlsx)\n`);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(out);
    const sheet = workbook.worksheets[0];
    expect(sheet.getCell('C1').value).toBe('违法类型');
    expect(sheet.getColumn(3).values.slice(2)).toEqual(['无证建设', '超出许可高度']);
    expect(sheet.getCell('H3').value).toBe(samplePermit);
    expect(await readdir(dir)).not.toContainEqual(expect.stringContaining('.partial-'));
  });

  it.runIf(requireTool('pdftotext'))('writes a batch PDF dossier with the chips and event hashes', async () => {
    const out = join(dir, 'dossiers', 'batch.pdf');
    const run = await runCli(['export', '--format', 'pdf', '--out', out, '--job', '1'], undefined, env);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('3 cases written to');
    const text = execFileSync('pdftotext', ['-enc', 'UTF-8', out, '-'], { encoding: 'utf8' });
    expect(text).toContain('疑似违法建设案件汇总');
    expect(text).toContain('违法类型');
    expect(text).toContain(samplePermit);
    expect(text).toMatch(/哈希 [0-9a-f]{64}/);
    expect(text).not.toContain('哈希不符');
    const images = execFileSync('pdfimages', ['-list', out], { encoding: 'utf8' }).trim().split('\n').slice(2);
    expect(images).toHaveLength(9);
  });

  it('writes GeoJSON in the project CRS for chosen cases', async () => {
    const out = join(dir, 'cases.geojson');
    const run = await runCli(['export', '--format', 'geojson', '--crs', 'source', '--out', out, '--case', String(ids.c3), '--case', String(ids.c1)], undefined, env);
    expect(run.code).toBe(0);
    const collection = JSON.parse(await readFile(out, 'utf8'));
    expect(collection.crs.properties.name).toBe('urn:ogc:def:crs:EPSG::4549');
    expect(collection.features.map((f: { id: number }) => f.id)).toEqual([ids.c1, ids.c3].sort((a, b) => a - b));
  });

  it('writes the building register with --layer buildings, and refuses a flag that picks cases', async () => {
    const survey = await cli.use((db) => insertSurvey(db.knex, '2024-06-01', [
      { name: 'house', square: [-10, -10, 0, 0], roofHeightM: 6, floors: 2, legality: 'suspect', violation: 'no_permit', gridId: sampleGrid },
    ]));
    const out = join(dir, 'buildings.csv');
    const run = await runCli(['export', '--layer', 'buildings', '--format', 'csv', '--chinese-headers', '--job', String(survey.jobId), '--out', out], undefined, env);
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe(`1 building written to ${out} (csv)\n`);
    const lines = (await readFile(out, 'utf8')).trim().split('\r\n');
    expect(lines[0]).toMatch(/^\uFEFF?编号,面积（平方米）/);
    expect(lines[1]).toMatch(new RegExp(`^${survey.ids.get('house')},100,6,6\\.5,2,平顶,0,疑似违法,无证建设,,${sampleGrid},`));
    const refused = await runCli(['export', '--layer', 'buildings', '--format', 'csv', '--state', 'closed', '--out', out], undefined, env);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--state does not apply to --layer buildings');
  });

  it('refuses an empty selection, a missing case, an unknown format and an option the format ignores, writing nothing', async () => {
    const out = join(dir, 'refused.csv');
    const empty = await runCli(['export', '--format', 'csv', '--out', out, '--state', 'closed'], undefined, env);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('no cases with state closed; nothing written');
    const missing = await runCli(['export', '--format', 'csv', '--out', out, '--case', '999'], undefined, env);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('case 999 not found');
    const format = await runCli(['export', '--format', 'docx', '--out', out], undefined, env);
    expect(format.code).toBe(2);
    expect(format.stderr).toContain("argument 'docx' is invalid. Allowed choices are xlsx, csv, geojson, kml, kmz, gpkg, pdf");
    const crs = await runCli(['export', '--format', 'csv', '--crs', 'source', '--out', out], undefined, env);
    expect(crs.code).toBe(2);
    expect(crs.stderr).toContain('--crs does not apply to --format csv');
    expect(existsSync(out)).toBe(false);
  });
});
