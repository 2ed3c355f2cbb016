/**
 * `zhiwei serve`: the verification service on the same database as the CLI (embedded in the
 * data folder, or DATABASE_URL), with webhook delivery from the outbox, until SIGTERM or Ctrl-C.
 */
import type { Command } from 'commander';
import { startWebhookDelivery } from '../webhooks/delivery.js';
import { evidenceDir } from '../config.js';
import { assertPortFree, startServer } from '../server/server.js';
import { withDatabase } from './database.js';
import { parseWholeNumber } from './options.js';

/** Registers `zhiwei serve`. */
export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('run the verification service: the API under /api/v1, its document at /api/docs')
    .option('--port <port>', 'TCP port (0 picks a free one)', parseWholeNumber, 8080)
    .option('--host <host>', 'address to listen on (0.0.0.0 for every interface)', '127.0.0.1')
    .action(async (flags: { port: number; host: string }) => {
      // before the database: a second serve must not take it (or create one) only to fail on the port
      await assertPortFree(flags.host, flags.port);
      await withDatabase(async (db) => {
        const server = await startServer({ db, evidenceDir: evidenceDir(), host: flags.host, port: flags.port });
        const delivery = startWebhookDelivery(db, { onError: (err) => server.app.log.error({ err }, 'webhook delivery') });
        process.stdout.write(`zhiwei serve: listening on ${server.address} (${db.backend} database); API documentation at ${server.address}/api/docs\n`);
        await server.stopped;
        await delivery.stop();
        process.stdout.write('zhiwei serve: stopped\n');
      });
    });
}
