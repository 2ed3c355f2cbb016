/**
 * `zhiwei webhooks add|list|remove|deliver`: the bureau platforms that receive every case event,
 * and a delivery loop of its own (the service runs one too) for a separate host or a cron job.
 */
import type { Command } from 'commander';
import { deliverDue, startWebhookDelivery } from '../webhooks/delivery.js';
import { addWebhook, checkWebhook, listWebhooks, removeWebhook } from '../webhooks/subscriptions.js';
import type { Database } from '../db/connect.js';
import { withDatabase } from './database.js';
import { parsePositiveInteger } from './options.js';

/** Registers `zhiwei webhooks`. */
export function registerWebhooks(program: Command): void {
  const webhooks = program.command('webhooks').description('webhooks: case events POSTed as signed JSON to a bureau platform, in order per case, retried until delivered');
  webhooks
    .command('add')
    .description('subscribe a URL to every case event from now on; prints the signing secret once')
    .argument('<url>', 'http(s) URL that receives the POSTs')
    .option('--secret <secret>', 'signing secret (at least 16 characters; default: 64 random hex digits)')
    .action(async (url: string, flags: { secret?: string }) => {
      checkWebhook(url, flags.secret);
      const added = await withDatabase((db) => addWebhook(db.knex, url, flags.secret), { spatial: false });
      process.stdout.write(`webhook ${added.id}: ${url}\nsecret: ${added.secret}\n`);
      process.stderr.write('the secret is not shown again; receivers check X-Zhiwei-Signature (HMAC-SHA256 of the body) with it\n');
    });
  webhooks
    .command('list')
    .description('subscriptions with their undelivered events and last error')
    .action(async () => {
      const rows = await withDatabase((db) => listWebhooks(db.knex), { spatial: false });
      if (rows.length === 0) process.stdout.write('no webhooks (zhiwei webhooks add URL)\n');
      for (const row of rows) {
        const error = row.lastError ? `, last error: ${row.lastError}` : '';
        process.stdout.write(`${row.id}\t${row.active ? 'active' : 'removed'}\t${row.url}\t${row.pending} pending${error}\n`);
      }
    });
  webhooks
    .command('remove')
    .description('stop a subscription: no new events, pending ones are not sent')
    .argument('<id>', 'webhook id (zhiwei webhooks list)', parsePositiveInteger)
    .action(async (id: number) => {
      await withDatabase((db) => removeWebhook(db.knex, id), { spatial: false });
      process.stdout.write(`webhook ${id} removed\n`);
    });
  webhooks
    .command('deliver')
    .description('send due deliveries until stopped (Ctrl-C), or with --once until nothing more goes through')
    .option('--once', 'stop when a pass delivers nothing; failed deliveries wait for a later run')
    .action(async (flags: { once?: boolean }) => {
      await withDatabase((db) => (flags.once ? deliverOnce(db) : deliverUntilStopped(db)));
    });
}

async function deliverOnce(db: Database): Promise<void> {
  let [delivered, failed] = [0, 0];
  for (;;) {
    const pass = await deliverDue(db, new Date());
    delivered += pass.delivered;
    failed += pass.failed;
    if (pass.delivered === 0) break;
  }
  const pending = (await listWebhooks(db.knex)).filter((hook) => hook.active).reduce((sum, hook) => sum + hook.pending, 0);
  process.stdout.write(`delivered ${delivered}, failed ${failed} (retried later), ${pending} pending\n`);
}

async function deliverUntilStopped(db: Database): Promise<void> {
  const delivery = startWebhookDelivery(db);
  process.stderr.write('delivering webhooks (Ctrl-C stops after the requests in flight)\n');
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await delivery.stop();
}
