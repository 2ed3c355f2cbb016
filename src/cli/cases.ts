/**
 * `zhiwei cases verify ID`: checks that the record of a case is untouched (its event chain and
 * its evidence files on disk) and names the first broken link; a broken record exits non-zero.
 */
import type { Command } from 'commander';
import { caseExists } from '../cases/read.js';
import { verifyCaseChain } from '../cases/verify.js';
import { evidenceDir } from '../config.js';
import { ConflictError, NotFoundError } from '../errors.js';
import { withDatabase } from './database.js';
import { parsePositiveInteger } from './options.js';

/** Registers `zhiwei cases`. */
export function registerCases(program: Command): void {
  const cases = program.command('cases').description('cases of suspected illegal construction');
  cases
    .command('verify')
    .description('recompute the hash chain of a case and the SHA-256 of its evidence files')
    .argument('<id>', 'case id', parsePositiveInteger)
    .action(async (id: number) => {
      const result = await withDatabase(async (db) => {
        if (!(await caseExists(db.knex, id))) throw new NotFoundError(`no case ${id}`);
        return verifyCaseChain(db.knex, id, evidenceDir());
      });
      if (result.broken === null) {
        process.stdout.write(`case ${id}: record intact (${result.events} events, ${result.files} evidence files checked)\n`);
        return;
      }
      const where = 'event' in result.broken ? `event ${result.broken.event}` : `evidence file ${result.broken.evidence.name} (${result.broken.evidence.sha256})`;
      throw new ConflictError(`case ${id}: record broken at ${where}: ${result.broken.reason}`);
    });
}
