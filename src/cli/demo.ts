/**
 * `zhiwei demo`: the main job on the bundled fixture scene, in a sandbox of its own. Its embedded
 * database and evidence store live in `<dir>/data` and its outputs in `<dir>/results`, so nothing
 * of it (plans, cases, the project CRS) reaches the project of the working folder, whether that
 * is `.zhiwei/` or a server named by DATABASE_URL.
 */
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { detect } from './detect.js';

/** The fixture's job spec, beside the package's `dist/` (and `src/` when run from source). */
const fixtureJob = fileURLToPath(new URL('../../fixtures/scene/job.json', import.meta.url));

/** Registers `zhiwei demo`. */
export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('run detect on the bundled fixture scene in a sandbox folder of its own (its database, evidence and results)')
    .option('--dir <dir>', 'the sandbox folder', 'demo')
    .action(async ({ dir }: { dir: string }) => {
      const sandbox = resolve(dir);
      const data = join(sandbox, 'data');
      // every command reads its database and evidence store from these settings
      process.env.ZHIWEI_DATA_DIR = data;
      process.env.DATABASE_URL = '';
      await detect({ job: fixtureJob, out: join(sandbox, 'results') });
      const here = relative(process.cwd(), sandbox) || '.';
      process.stdout.write(
        [
          '',
          `The demo ran in its own sandbox, ${here}/: its database and evidence store are in ${here}/data, its results in ${here}/results.`,
          "Nothing of it is in this folder's project (.zhiwei/ or DATABASE_URL); zhiwei detect on your own flights starts clean.",
          'To look at its cases on the review map:',
          `  export ZHIWEI_DATA_DIR=${here}/data`,
          '  zhiwei users add demo --role reviewer && zhiwei tokens create demo   # prints the token to paste',
          '  zhiwei serve                                                         # then open http://127.0.0.1:8080/review',
          '',
        ].join('\n'),
      );
    });
}
