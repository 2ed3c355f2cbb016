/**
 * Webhook deliveries/s (src/cases/webhook-delivery.ts) to a receiver on loopback that answers 200
 * at once: 5,000 case events over 200 cases, on the embedded database and, when DATABASE_URL is
 * set, on the server, there also with two delivery loops on their own connection pools (two
 * service processes). Also the rate of appending the events, each fanned out to the subscription
 * by the outbox trigger. One JSON line per run.
 *
 *   npx tsx bench/webhooks.ts [--events 5000] [--cases 200]
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { startWebhookDelivery } from '../src/webhooks/delivery.js';
import { addWebhook } from '../src/webhooks/subscriptions.js';
import { openDatabase, type Database } from '../src/db/connect.js';
import { appendRounds, insertCases } from '../src/test-support/case-events.js';
import { startWebhookReceiver } from '../src/test-support/webhook-receiver.js';

const { values: args } = parseArgs({ options: { events: { type: 'string', default: '5000' }, cases: { type: 'string', default: '200' } } });
const caseCount = Number(args.cases);
const rounds = Math.ceil(Number(args.events) / caseCount);
const events = rounds * caseCount;

/** Appends the events, then delivers them with `loops` delivery loops (one per database handle). */
async function run(backend: string, handles: Database[]): Promise<void> {
  const [db] = handles;
  const receiver = await startWebhookReceiver();
  await addWebhook(db.knex, receiver.url);
  const cases = await insertCases(db.knex, caseCount);
  const appendStart = performance.now();
  await appendRounds(db.knex, cases, rounds);
  const appendS = (performance.now() - appendStart) / 1000;

  const start = performance.now();
  const loops = handles.map((handle) => startWebhookDelivery(handle));
  while (receiver.received.filter((request) => request.status === 200).length < events) await new Promise((resolve) => setTimeout(resolve, 20));
  await Promise.all(loops.map((loop) => loop.stop()));
  const seconds = (performance.now() - start) / 1000;
  const delivered = new Set(receiver.received.map((request) => request.delivery)).size;
  await receiver.close();
  console.log(JSON.stringify({
    bench: 'webhooks', backend, loops: handles.length, cases: caseCount, events, requests: receiver.received.length, delivered,
    events_appended_per_s: Math.round(events / appendS), seconds: Number(seconds.toFixed(2)), deliveries_per_s: Math.round(events / seconds),
  }));
}

const embedded = await openDatabase({ url: null, dataDir: ':memory:' });
await run('embedded', [embedded]);
await embedded.close();

if (process.env.DATABASE_URL) {
  for (const loops of [1, 2]) {
    const schema = `bench_${randomBytes(6).toString('hex')}`;
    const handles = [await openDatabase({ schema })];
    for (let i = 1; i < loops; i++) handles.push(await openDatabase({ schema }));
    try {
      await run('server', handles);
    } finally {
      await handles[0].knex.raw('DROP SCHEMA ?? CASCADE', [schema]);
      await Promise.all(handles.map((handle) => handle.close()));
    }
  }
}
