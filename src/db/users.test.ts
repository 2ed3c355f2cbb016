import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase, testBackends } from '../test-support/database.js';
import type { Database } from './connect.js';
import { addUser, createToken, listTokens, listUsers, revokeToken, setUserActive, tokenSha256, userForToken } from './users.js';

describe.each(testBackends())('users and tokens on the %s backend', (backend) => {
  let db: Database;
  beforeAll(async () => {
    db = await openTestDatabase(backend);
  });
  afterAll(() => db?.close());

  it('adds users with a role, officers with their grids, and refuses bad ones naming the field', async () => {
    await addUser(db.knex, 'li.wei', 'reviewer');
    await db.knex('grids').insert(['WG-01', 'WG-02'].map((grid_id) => ({ grid_id, geom: db.knex.raw("ST_GeomFromText('MULTIPOLYGON(((0 0,1 0,1 1,0 0)))', 4549)") })));
    expect(await addUser(db.knex, '张三', 'officer', ['WG-02', 'WG-01', 'WG-02'])).toMatchObject({ role: 'officer', grids: ['WG-01', 'WG-02'] });
    await expect(addUser(db.knex, 'li.wei', 'admin')).rejects.toThrow(/user "li.wei" exists already/);
    await expect(addUser(db.knex, 'wang', 'mayor')).rejects.toThrow(/role "mayor" is not one of analyst, reviewer, officer, supervisor, admin/);
    await expect(addUser(db.knex, 'wang', 'reviewer', ['WG-01'])).rejects.toThrow(/--grids is for officers/);
    await expect(addUser(db.knex, 'zhao', 'officer', ['WG-01', 'WG-99'])).rejects.toThrow(/^--grids: no grid WG-99 in the grids layer$/);
    await expect(addUser(db.knex, "x'; DROP TABLE users;--", 'admin')).rejects.toThrow(/user name/);
    expect((await listUsers(db.knex)).map((u) => [u.name, u.role, u.grids])).toEqual([['li.wei', 'reviewer', []], ['张三', 'officer', ['WG-01', 'WG-02']]]);
  });

  it('stores only the SHA-256 of a token and finds its user by it', async () => {
    const { token, info } = await createToken(db.knex, '张三');
    expect(info.prefix).toBe(token.slice(0, 11));
    const row = await db.knex('tokens').where({ id: info.id }).first();
    expect(row.sha256).toBe(tokenSha256(token));
    expect(JSON.stringify(row)).not.toContain(token);
    expect(await userForToken(db.knex, token)).toMatchObject({ name: '张三', role: 'officer', grids: ['WG-01', 'WG-02'] });
    expect((await db.knex('tokens').where({ id: info.id }).first()).last_used_at).not.toBeNull();
    expect(await userForToken(db.knex, `${token}x`)).toBeNull();
  });

  it('revokes a token by id or prefix, refuses an ambiguous prefix, and stops inactive users', async () => {
    const first = await createToken(db.knex, 'li.wei');
    const second = await createToken(db.knex, 'li.wei');
    await expect(revokeToken(db.knex, 'zw_')).rejects.toThrow(/matches \d+ tokens/);
    await expect(revokeToken(db.knex, 'zw_%')).rejects.toThrow(/no token/);
    expect((await revokeToken(db.knex, first.info.prefix)).revokedAt).not.toBeNull();
    expect(await userForToken(db.knex, first.token)).toBeNull();
    expect((await revokeToken(db.knex, String(second.info.id))).user).toBe('li.wei');
    expect((await listTokens(db.knex)).filter((t) => t.revokedAt !== null)).toHaveLength(2);
    const third = await createToken(db.knex, '张三');
    await setUserActive(db.knex, '张三', false);
    expect(await userForToken(db.knex, third.token)).toBeNull();
    await expect(createToken(db.knex, '张三')).rejects.toThrow(/inactive/);
    await expect(setUserActive(db.knex, 'nobody', false)).rejects.toThrow(/no user "nobody"/);
  });
});
