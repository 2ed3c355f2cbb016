/**
 * `zhiwei cases verify ID`: checks that the record of a case is untouched (its event chain up to
 * the head the case keeps, the case's state, grid and outline, its evidence files on disk) and
 * names every break by its kind; a broken record exits non-zero.
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
    .description('recompute the hash chain of a case against its head, its state, grid and outline, and the SHA-256 of its evidence files')
    .argument('<id>', 'case id', parsePositiveInteger)
    .action(async (id: number) => {
      const result = await withDatabase(async (db) => {
        if (!(await caseExists(db.knex, id))) throw new NotFoundError(`no case ${id}`);
        return verifyCaseChain(db.knex, id, evidenceDir());
      });
      if (result.ok) {
        process.stdout.write(`case ${id}: record intact (${result.events} events, ${result.files} evidence files checked)\n`);
        return;
      }
      const lines = result.breaks.map((b) => `  ${b.kind}${b.event === undefined ? '' : ` at event ${b.event}`}${b.evidence ? ` in evidence file ${b.evidence.name} (${b.evidence.sha256})` : ''}: ${b.reason}`);
      throw new ConflictError(`case ${id}: record broken (${result.breaks.length} ${result.breaks.length === 1 ? 'break' : 'breaks'}):\n${lines.join('\n')}`);
    });
}
