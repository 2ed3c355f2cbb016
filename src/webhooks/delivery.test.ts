import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../db/connect.js';
import { appendRounds, insertCases } from '../test-support/case-events.js';
import { openTestDatabase, testBackends } from '../test-support/database.js';
import { freePort, startWebhookReceiver, type ReceivedWebhook, type WebhookReceiver } from '../test-support/webhook-receiver.js';
import { deliverDue, retryDelayMs, startWebhookDelivery, type DeliveryOptions } from './delivery.js';
import { verifyWebhookSignature } from './signature.js';
import { addWebhook, removeWebhook } from './subscriptions.js';

const fast: DeliveryOptions = { pollIntervalMs: 5, backoffBaseMs: 10, backoffCapMs: 100, timeoutMs: 2000 };

/** Waits until `done()` holds, for at most 20 s. */
async function waitFor(done: () => Promise<boolean> | boolean): Promise<void> {
  for (const start = Date.now(); !(await done()); ) {
    if (Date.now() - start > 20_000) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * Checks that each case's events went out in order: after a 2xx for seq k the next request of
 * that case carries k + 1, after anything else it carries k again.
 */
function expectInOrderPerCase(received: ReceivedWebhook[]): void {
  const last = new Map<number, { seq: number; ok: boolean }>();
  for (const request of received) {
    const { case_id: caseId, seq } = JSON.parse(request.body) as { case_id: number; seq: number };
    const previous = last.get(caseId);
    if (previous) expect(seq, `case ${caseId}`).toBe(previous.ok ? previous.seq + 1 : previous.seq);
    last.set(caseId, { seq, ok: request.status === 200 });
  }
}

/** The 2xx requests, checked to be signed and never repeated. */
function deliveredOnce(received: ReceivedWebhook[], secret: string): ReceivedWebhook[] {
  const ok = received.filter((request) => request.status === 200);
  expect(new Set(ok.map((request) => request.delivery)).size).toBe(ok.length);
  for (const request of ok) expect(verifyWebhookSignature(secret, request.body, request.signature)).toBe(true);
  return ok;
}

describe('webhook retry delays', () => {
  it('double from the base, stay under the cap, and are up to a quarter shorter by jitter', () => {
    expect([1, 2, 3, 4].map((n) => retryDelayMs(n, 1000, 600_000, () => 0))).toEqual([1000, 2000, 4000, 8000]);
    expect(retryDelayMs(3, 1000, 600_000, () => 1)).toBe(3000);
    expect(retryDelayMs(30, 1000, 600_000, () => 0)).toBe(600_000);
    expect(retryDelayMs(5000, 1000, 600_000, () => 0)).toBe(600_000);
  });
});

describe.each(testBackends())('webhook delivery on the %s backend', (backend) => {
  let db: Database;
  const receivers: WebhookReceiver[] = [];
  const receiver = async (options: Parameters<typeof startWebhookReceiver>[0] = {}) => {
    receivers.push(await startWebhookReceiver(options));
    return receivers.at(-1)!;
  };
  const pending = async (webhookId: number) =>
    Number((await db.knex('webhook_deliveries').where({ webhook_id: webhookId }).whereNull('delivered_at').count({ n: '*' }))[0].n);

  beforeAll(async () => {
    db = await openTestDatabase(backend);
  });
  afterEach(async () => {
    await db.knex('webhooks').update({ active: false });
    await Promise.all(receivers.splice(0).map((r) => r.close()));
  });
  afterAll(async () => {
    await db?.close();
  });

  it('delivers every event exactly once, in order per case, through receiver failures and a restart', async () => {
    const bureau = await receiver({ failFirst: 12 });
    const hook = await addWebhook(db.knex, bureau.url);
    const cases = await insertCases(db.knex, 6);
    await appendRounds(db.knex, cases, 3);

    const first = startWebhookDelivery(db, fast);
    await waitFor(() => bureau.received.filter((r) => r.status === 200).length >= 5);
    await first.stop();
    await appendRounds(db.knex, cases, 3); // events while the service is down
    const second = startWebhookDelivery(db, fast);
    await waitFor(async () => (await pending(hook.id)) === 0);
    await second.stop();

    expect(bureau.received.filter((r) => r.status === 500)).toHaveLength(12);
    const ok = deliveredOnce(bureau.received, hook.secret);
    expect(ok).toHaveLength(36);
    expectInOrderPerCase(bureau.received);
    const events = await db.knex('outbox').whereIn('case_id', cases).orderBy('id');
    expect(ok.map((r) => r.delivery).sort()).toEqual(events.map((e) => `${e.id}-${hook.id}`).sort());
    expect(ok.every((r) => r.event === 'case.note')).toBe(true);
    expect(Number((await db.knex('webhook_deliveries').where({ webhook_id: hook.id }).max({ m: 'attempts' }))[0].m)).toBeGreaterThan(1);
  });

  it('retries a receiver that is down with growing delays, then delivers when it comes up', async () => {
    const port = await freePort();
    const hook = await addWebhook(db.knex, `http://127.0.0.1:${port}/hooks`);
    const [caseId] = await insertCases(db.knex, 1);
    await appendRounds(db.knex, [caseId], 2);
    const options = { backoffBaseMs: 1000, backoffCapMs: 8000 };
    const head = () => db.knex('webhook_deliveries').where({ webhook_id: hook.id }).whereNull('delivered_at').orderBy('outbox_id').first();

    let now = new Date();
    const delays: number[] = [];
    for (let attempt = 1; attempt <= 6; attempt++) {
      expect(await deliverDue(db, now, options)).toEqual({ claimed: 1, delivered: 0, failed: 1 });
      const row = await head();
      expect(row.attempts).toBe(attempt);
      expect(row.last_error).toMatch(/ECONNREFUSED/);
      const next = new Date(row.next_attempt_at);
      delays.push(next.getTime() - now.getTime());
      // nothing is due before the retry, not even the case's next event
      expect((await deliverDue(db, new Date(next.getTime() - 1), options)).claimed).toBe(0);
      now = next;
    }
    for (const [i, ceiling] of [1000, 2000, 4000, 8000, 8000, 8000].entries()) {
      expect(delays[i]).toBeGreaterThanOrEqual(ceiling * 0.75);
      expect(delays[i]).toBeLessThanOrEqual(ceiling);
    }
    for (let i = 1; i < 4; i++) expect(delays[i]).toBeGreaterThan(delays[i - 1]);

    const bureau = await receiver({ port });
    expect(await deliverDue(db, now, options)).toEqual({ claimed: 1, delivered: 1, failed: 0 });
    expect(await deliverDue(db, now, options)).toEqual({ claimed: 1, delivered: 1, failed: 0 });
    expect(bureau.received.map((r) => JSON.parse(r.body).seq)).toEqual([1, 2]);
    const rows = await db.knex('webhook_deliveries').where({ webhook_id: hook.id }).orderBy('outbox_id');
    expect(rows.map((r) => [r.attempts, r.last_error])).toEqual([[7, null], [1, null]]);
  });

  it("carries the event and the case's chain head as it is when sent, so a bureau's copy shows a later cut", async () => {
    const bureau = await receiver();
    const hook = await addWebhook(db.knex, bureau.url);
    const [caseId] = await insertCases(db.knex, 1);
    await appendRounds(db.knex, [caseId], 2);
    const events = await db.knex('case_events').where({ case_id: caseId }).orderBy('seq');
    expect(await deliverDue(db, new Date(), fast)).toEqual({ claimed: 1, delivered: 1, failed: 0 });
    await appendRounds(db.knex, [caseId], 1);
    const third = await db.knex('case_events').where({ case_id: caseId, seq: 3 }).first('hash');
    for (let pass = 0; pass < 5 && (await deliverDue(db, new Date(), fast)).claimed > 0; pass++);

    const bodies = deliveredOnce(bureau.received, hook.secret).map((r) => JSON.parse(r.body));
    expect(bodies.map((b) => [b.case_id, b.seq, b.hash])).toEqual([[caseId, 1, events[0].hash], [caseId, 2, events[1].hash], [caseId, 3, third.hash]]);
    expect(bodies.map((b) => b.head)).toEqual([
      { hash: events[1].hash, event_count: 2 },
      { hash: third.hash, event_count: 3 },
      { hash: third.hash, event_count: 3 },
    ]);
  });

  it('gives up on a receiver that does not answer in time, and sends the event again', async () => {
    const slow = await receiver({ delayMs: () => (slow.received.length === 1 ? 1000 : 0) });
    const hook = await addWebhook(db.knex, slow.url);
    await appendRounds(db.knex, await insertCases(db.knex, 1), 1);
    expect(await deliverDue(db, new Date(), { timeoutMs: 100 })).toEqual({ claimed: 1, delivered: 0, failed: 1 });
    expect((await db.knex('webhook_deliveries').where({ webhook_id: hook.id }).first()).last_error).toMatch(/timeout/i);
    expect(await deliverDue(db, new Date(Date.now() + 2000), { timeoutMs: 100 })).toEqual({ claimed: 1, delivered: 1, failed: 0 });
    expect(slow.received.map((r) => r.delivery)).toEqual([slow.received[0].delivery, slow.received[0].delivery]);
  });

  it('never sends an event twice from concurrent delivery loops', async () => {
    const bureau = await receiver({ delayMs: () => Math.random() * 5 });
    const hook = await addWebhook(db.knex, bureau.url);
    const cases = await insertCases(db.knex, 10);
    await appendRounds(db.knex, cases, 5);
    // on the server, each loop has its own connection pool, as separate service processes would
    const others = backend === 'server' ? await Promise.all([1, 2].map(() => openDatabase({ url: process.env.DATABASE_URL, schema: db.schema }))) : [db, db];
    const loops = [db, ...others].map((each) => startWebhookDelivery(each, { ...fast, batchSize: 7 }));
    await appendRounds(db.knex, cases, 5); // while they deliver
    await waitFor(async () => (await pending(hook.id)) === 0);
    await Promise.all(loops.map((loop) => loop.stop()));
    if (backend === 'server') await Promise.all(others.map((other) => other.close()));

    expect(bureau.received).toHaveLength(100);
    expect(deliveredOnce(bureau.received, hook.secret)).toHaveLength(100);
    expectInOrderPerCase(bureau.received);
  });

  it('sends nothing to a removed subscription, and a new one gets the events from then on', async () => {
    const [a, b, c] = [await receiver(), await receiver(), await receiver()];
    const hookA = await addWebhook(db.knex, a.url);
    const hookB = await addWebhook(db.knex, b.url, 'a secret of the bureau');
    const cases = await insertCases(db.knex, 2);
    await appendRounds(db.knex, cases, 1);
    await removeWebhook(db.knex, hookA.id);
    await expect(removeWebhook(db.knex, hookA.id)).rejects.toThrow(/no active webhook/);
    await appendRounds(db.knex, cases, 1);
    await addWebhook(db.knex, c.url);
    await appendRounds(db.knex, cases, 1);
    for (let pass = 0; pass < 10 && (await deliverDue(db, new Date(), fast)).claimed > 0; pass++);

    expect(a.received).toHaveLength(0);
    expect(deliveredOnce(b.received, 'a secret of the bureau')).toHaveLength(6);
    expect(c.received.map((r) => JSON.parse(r.body).seq)).toEqual([3, 3]);
    expect(await pending(hookB.id)).toBe(0);
  });
});
