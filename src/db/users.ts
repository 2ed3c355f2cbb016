/**
 * Users of the verification service and their API tokens. A token is shown once when created and
 * stored only as its SHA-256, with its first characters kept to tell tokens apart in a list.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import { BadInputError, ConflictError, NotFoundError } from '../errors.js';
import { ROLES } from './migrations/002-users.js';

/** A role of DESIGN.md section 7. */
export type Role = (typeof ROLES)[number];

/** A user as the service sees one. */
export interface User {
  id: number;
  name: string;
  role: Role;
  active: boolean;
  /** Grids assigned to an officer (empty for other roles). */
  grids: string[];
}

/** A token as listed (never the token itself). */
export interface TokenInfo {
  id: number;
  user: string;
  prefix: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

/** Characters of a token kept for display (`zw_` and eight more). */
const prefixLength = 11;

/** SHA-256 of a token, as stored. */
export function tokenSha256(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Adds a user; an officer may be given grids. */
export async function addUser(knex: Knex, name: string, role: string, grids: string[] = []): Promise<User> {
  if (!/^[\p{L}\p{N}._@-]{1,64}$/u.test(name)) throw new BadInputError(`user name "${name}" must be 1-64 letters, digits or . _ @ -`);
  if (!(ROLES as readonly string[]).includes(role)) throw new BadInputError(`role "${role}" is not one of ${ROLES.join(', ')}`);
  if (grids.length > 0 && role !== 'officer') throw new BadInputError(`--grids is for officers; "${name}" is ${role}`);
  return knex.transaction(async (trx) => {
    if (await trx('users').where({ name }).first('id')) throw new ConflictError(`user "${name}" exists already`);
    const known: string[] = grids.length === 0 ? [] : await trx('grids').whereIn('grid_id', grids).pluck('grid_id');
    const unknown = [...new Set(grids)].filter((grid) => !known.includes(grid));
    if (unknown.length > 0) {
      throw new BadInputError(`--grids: no grid${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} in the grids layer`, 'import the grids first (zhiwei grids import FILE), or check the grid ids (网格编号)', 'grids');
    }
    const [{ id }] = await trx('users').insert({ name, role }).returning('id');
    if (grids.length > 0) await trx('user_grids').insert([...new Set(grids)].map((grid_id) => ({ user_id: id, grid_id })));
    return { id: Number(id), name, role: role as Role, active: true, grids: [...new Set(grids)].sort() };
  });
}

/** Every user with their grids, by name. */
export async function listUsers(knex: Knex): Promise<User[]> {
  const rows = await knex('users').orderBy('name');
  const grids = await knex('user_grids').orderBy('grid_id');
  return rows.map((row) => toUser(row, grids.filter((g) => Number(g.user_id) === Number(row.id)).map((g) => g.grid_id)));
}

/** Marks a user active or inactive; an inactive user's tokens stop working at once. */
export async function setUserActive(knex: Knex, name: string, active: boolean): Promise<void> {
  const changed = await knex('users').where({ name }).update({ active });
  if (changed === 0) throw new NotFoundError(`no user "${name}"`);
}

/** Makes a token for an active user; the returned token is never stored and cannot be shown again. */
export async function createToken(knex: Knex, userName: string): Promise<{ token: string; info: TokenInfo }> {
  const user = await knex('users').where({ name: userName }).first('id', 'active');
  if (!user) throw new NotFoundError(`no user "${userName}"`, 'add one with zhiwei users add NAME --role ROLE');
  if (!user.active) throw new ConflictError(`user "${userName}" is inactive`);
  const token = `zw_${randomBytes(32).toString('base64url')}`;
  const [row] = await knex('tokens').insert({ user_id: user.id, sha256: tokenSha256(token), prefix: token.slice(0, prefixLength) }).returning('*');
  return { token, info: toTokenInfo({ ...row, user: userName }) };
}

/** Revokes one token, named by its id or by its prefix (which must match exactly one token). */
export async function revokeToken(knex: Knex, idOrPrefix: string): Promise<TokenInfo> {
  const query = knex('tokens').join('users', 'users.id', 'tokens.user_id').select('tokens.*', 'users.name as user');
  const rows = /^\d+$/.test(idOrPrefix) ? await query.where('tokens.id', Number(idOrPrefix)) : await query.where('tokens.prefix', 'like', `${escapeLike(idOrPrefix)}%`);
  if (rows.length === 0) throw new NotFoundError(`no token with id or prefix "${idOrPrefix}"`, 'zhiwei tokens list shows them');
  if (rows.length > 1) throw new BadInputError(`prefix "${idOrPrefix}" matches ${rows.length} tokens; give more characters or the id`);
  const [row] = await knex('tokens').where({ id: rows[0].id }).update({ revoked_at: knex.raw('coalesce(revoked_at, now())') }).returning('*');
  return toTokenInfo({ ...row, user: rows[0].user });
}

/** Every token with its user, newest first. */
export async function listTokens(knex: Knex): Promise<TokenInfo[]> {
  const rows = await knex('tokens').join('users', 'users.id', 'tokens.user_id').select('tokens.*', 'users.name as user').orderBy('tokens.id', 'desc');
  return rows.map(toTokenInfo);
}

/**
 * The active user holding this token, or null when the token is unknown, revoked, or its user
 * inactive. Notes when the token was last used (at most once a minute, to spare the database).
 */
export async function userForToken(knex: Knex, token: string): Promise<User | null> {
  const row = await knex('tokens')
    .join('users', 'users.id', 'tokens.user_id')
    .where({ 'tokens.sha256': tokenSha256(token), 'users.active': true })
    .whereNull('tokens.revoked_at')
    .first('users.*', 'tokens.id as token_id', 'tokens.last_used_at', knex.raw(`coalesce((SELECT array_agg(grid_id ORDER BY grid_id) FROM user_grids g WHERE g.user_id = users.id), '{}') AS grids`));
  if (!row) return null;
  if (row.last_used_at === null || Date.now() - new Date(row.last_used_at).getTime() > 60_000) {
    await knex('tokens').where({ id: row.token_id }).update({ last_used_at: knex.fn.now() });
  }
  return toUser(row, row.grids);
}

function toUser(row: { id: number | string; name: string; role: Role; active: boolean }, grids: string[]): User {
  return { id: Number(row.id), name: row.name, role: row.role, active: row.active, grids };
}

function toTokenInfo(row: Record<string, unknown>): TokenInfo {
  return {
    id: Number(row.id), user: String(row.user), prefix: String(row.prefix), createdAt: new Date(row.created_at as string),
    lastUsedAt: row.last_used_at ? new Date(row.last_used_at as string) : null, revokedAt: row.revoked_at ? new Date(row.revoked_at as string) : null,
  };
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
