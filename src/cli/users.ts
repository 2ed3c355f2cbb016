/**
 * `zhiwei users add|list|deactivate`: the people who use the verification service, each with a
 * role (analyst, reviewer, officer, supervisor, admin); an officer works in the grids given.
 */
import type { Command } from 'commander';
import { addUser, listUsers, setUserActive } from '../db/users.js';
import { ROLES } from '../db/migrations/002-users.js';
import { withDatabase } from './database.js';

/** Registers `zhiwei users`. */
export function registerUsers(program: Command): void {
  const users = program.command('users').description('users of the verification service and their roles');
  users
    .command('add')
    .description('add a user; an officer may be given the grids they work in')
    .argument('<name>', 'user name (letters, digits, . _ @ -)')
    .requiredOption('--role <role>', ROLES.join(' | '))
    .option('--grids <ids>', 'officer grids, comma-separated (WG-01,WG-02)')
    .action(async (name: string, flags: { role: string; grids?: string }) => {
      const grids = (flags.grids ?? '').split(',').map((g) => g.trim()).filter((g) => g !== '');
      const user = await withDatabase((db) => addUser(db.knex, name, flags.role, grids), { spatial: false });
      process.stdout.write(`user ${user.name} added as ${user.role}${user.grids.length > 0 ? ` for grids ${user.grids.join(', ')}` : ''}; make a token with: zhiwei tokens create ${user.name}\n`);
    });
  users
    .command('list')
    .description('every user with role, grids and whether active')
    .action(async () => {
      const rows = await withDatabase((db) => listUsers(db.knex), { spatial: false });
      if (rows.length === 0) process.stdout.write('no users yet: zhiwei users add NAME --role ROLE\n');
      for (const u of rows) process.stdout.write(`${u.name}\t${u.role}\t${u.active ? 'active' : 'inactive'}\t${u.grids.join(',') || '-'}\n`);
    });
  users
    .command('deactivate')
    .description('stop a user: their tokens stop working at once')
    .argument('<name>')
    .action(async (name: string) => {
      await withDatabase((db) => setUserActive(db.knex, name, false), { spatial: false });
      process.stdout.write(`user ${name} deactivated\n`);
    });
}
