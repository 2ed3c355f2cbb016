/**
 * `zhiwei tokens create|list|revoke`: API tokens. A token is printed once when created and
 * stored only as its SHA-256; its first characters (the prefix) name it afterwards.
 */
import type { Command } from 'commander';
import { createToken, listTokens, revokeToken } from '../db/users.js';
import { withDatabase } from './database.js';

/** Registers `zhiwei tokens`. */
export function registerTokens(program: Command): void {
  const tokens = program.command('tokens').description('API tokens (Authorization: Bearer <token>)');
  tokens
    .command('create')
    .description('make a token for a user; it is shown this once')
    .argument('<user>')
    .action(async (user: string) => {
      const { token, info } = await withDatabase((db) => createToken(db.knex, user), { spatial: false });
      process.stderr.write(`token ${info.id} (${info.prefix}…) for ${info.user}; store it now, it cannot be shown again:\n`);
      process.stdout.write(`${token}\n`);
    });
  tokens
    .command('list')
    .description('every token: id, prefix, user, created, last used, revoked')
    .action(async () => {
      const rows = await withDatabase((db) => listTokens(db.knex), { spatial: false });
      for (const t of rows) {
        const used = t.lastUsedAt?.toISOString() ?? 'never used';
        process.stdout.write(`${t.id}\t${t.prefix}…\t${t.user}\t${t.createdAt.toISOString()}\t${used}\t${t.revokedAt ? `revoked ${t.revokedAt.toISOString()}` : 'valid'}\n`);
      }
    });
  tokens
    .command('revoke')
    .description('revoke a token by its id or prefix; it stops working at once')
    .argument('<token>', 'token id, or its prefix as tokens list shows it (zw_…)')
    .action(async (idOrPrefix: string) => {
      const info = await withDatabase((db) => revokeToken(db.knex, idOrPrefix.replace(/…$/, '')), { spatial: false });
      process.stdout.write(`token ${info.id} (${info.prefix}…) of ${info.user} revoked\n`);
    });
}
