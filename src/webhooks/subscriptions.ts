/**
 * Webhook subscriptions: URLs of a bureau's platform that receive every case event from the
 * outbox, signed with the subscription's secret (`webhook-signature.ts`), by `webhook-delivery.ts`.
 */
import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import { BadInputError, NotFoundError } from '../errors.js';

/** A subscription as listed (the secret is shown only when it is added). */
export interface Webhook {
  id: number;
  url: string;
  active: boolean;
  createdAt: Date;
  /** Events not yet delivered to it. */
  pending: number;
  /** Error of the most recent failed attempt among those, if any. */
  lastError: string | null;
}

/** Adds a subscription; the secret is generated when none is given. Returns its id and secret. */
export async function addWebhook(knex: Knex, url: string, secret?: string): Promise<{ id: number; secret: string }> {
  checkWebhook(url, secret);
  const key = secret ?? randomBytes(32).toString('hex');
  const [{ id }] = await knex('webhooks').insert({ url, secret: key }).returning('id');
  return { id: Number(id), secret: key };
}

/** Every subscription, active or removed, oldest first. */
export async function listWebhooks(knex: Knex): Promise<Webhook[]> {
  const rows = await knex('webhooks as w')
    .select('w.id', 'w.url', 'w.active', 'w.created_at')
    .select(knex.raw('(SELECT count(*) FROM webhook_deliveries d WHERE d.webhook_id = w.id AND d.delivered_at IS NULL) AS pending'))
    .select(knex.raw(
      `(SELECT d.last_error FROM webhook_deliveries d WHERE d.webhook_id = w.id AND d.delivered_at IS NULL AND d.last_error IS NOT NULL
        ORDER BY d.next_attempt_at DESC LIMIT 1) AS last_error`,
    ))
    .orderBy('w.id');
  return rows.map((row) => ({
    id: Number(row.id), url: row.url, active: row.active, createdAt: new Date(row.created_at), pending: Number(row.pending), lastError: row.last_error ?? null,
  }));
}

/** Stops a subscription: it gets no new events and its pending ones are not sent (its history stays). */
export async function removeWebhook(knex: Knex, id: number): Promise<void> {
  const changed = await knex('webhooks').where({ id, active: true }).update({ active: false });
  if (changed === 0) throw new NotFoundError(`no active webhook ${id}`, 'zhiwei webhooks list shows them');
}

/** Throws BadInputError unless `url` is an http(s) URL and `secret`, when given, has 16 characters or more. */
export function checkWebhook(url: string, secret?: string): void {
  if (secret !== undefined && secret.length < 16) throw new BadInputError(`a webhook secret of ${secret.length} characters is too short`, 'use at least 16 characters, or let zhiwei generate one');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new BadInputError(`"${url}" is not a URL`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new BadInputError(`webhook URL "${url}" is not http(s)`);
}
