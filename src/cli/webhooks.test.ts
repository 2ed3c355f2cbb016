import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyWebhookSignature } from '../webhooks/signature.js';
import { openDatabase } from '../db/connect.js';
import { appendRounds, insertCases } from '../test-support/case-events.js';
import { runCli } from '../test-support/cli.js';
import { testSchemaName } from '../test-support/database.js';
import { startWebhookReceiver, type WebhookReceiver } from '../test-support/webhook-receiver.js';

let dir: string;
let env: Record<string, string>;
let receiver: WebhookReceiver;
// the database the CLI uses: embedded in the test's data folder, or the server when DATABASE_URL is set
const database = () => openDatabase({ dataDir: env.ZHIWEI_DATA_DIR, schema: env.ZHIWEI_DB_SCHEMA });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'zhiwei-webhooks-cli-'));
  env = { ZHIWEI_DATA_DIR: join(dir, 'data'), ZHIWEI_DB_SCHEMA: testSchemaName() };
  receiver = await startWebhookReceiver({ failFirst: 1 });
});
afterAll(async () => {
  await receiver.close();
  if (process.env.DATABASE_URL) {
    const db = await database();
    await db.knex.raw('DROP SCHEMA ?? CASCADE', [env.ZHIWEI_DB_SCHEMA]);
    await db.close();
  }
  await rm(dir, { recursive: true, force: true });
});

describe('zhiwei webhooks', () => {
  it('adds a subscription, delivers case events to it once, lists and removes it', async () => {
    const refused = await runCli(['webhooks', 'add', 'ftp://bureau.example/hooks'], undefined, env);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/not http\(s\)/);

    const added = await runCli(['webhooks', 'add', receiver.url], undefined, env);
    expect(added.code).toBe(0);
    const secret = /secret: ([0-9a-f]{64})/.exec(added.stdout)![1];

    const db = await database();
    await appendRounds(db.knex, await insertCases(db.knex, 1), 2);
    await db.close();

    // the first request fails and waits for a later run (1 s), and so does the case's second event
    const first = await runCli(['webhooks', 'deliver', '--once'], undefined, env);
    expect(first.stdout).toBe('delivered 0, failed 1 (retried later), 2 pending\n');
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const second = await runCli(['webhooks', 'deliver', '--once'], undefined, env);
    expect(second.stdout).toBe('delivered 2, failed 0 (retried later), 0 pending\n');
    expect(receiver.received.map((r) => [r.status, JSON.parse(r.body).seq])).toEqual([[500, 1], [200, 1], [200, 2]]);
    const ok = receiver.received.filter((r) => r.status === 200);
    expect(ok.every((r) => verifyWebhookSignature(secret, r.body, r.signature))).toBe(true);

    const listed = await runCli(['webhooks', 'list'], undefined, env);
    expect(listed.stdout).toBe(`1\tactive\t${receiver.url}\t0 pending\n`);
    expect((await runCli(['webhooks', 'remove', '1'], undefined, env)).stdout).toBe('webhook 1 removed\n');
  }, 180_000);
});
