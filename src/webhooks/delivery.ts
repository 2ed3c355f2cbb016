/**
 * Webhook delivery from the outbox (DESIGN.md section 7). Each pass claims the deliveries that are
 * due, in order per case (a case's later event waits until every earlier one reached that
 * subscription), POSTs them signed, and records the outcome: delivered on 2xx, otherwise retried
 * with exponential backoff. All state is in `webhook_deliveries`, so a restart loses nothing; a
 * claim is a short-lived lease taken with `FOR UPDATE SKIP LOCKED`, so several processes on one
 * server database never send the same delivery at once.
 */
import type { Knex } from 'knex';
import type { Database } from '../db/connect.js';
import { signWebhookBody } from './signature.js';

/** Timing of delivery; every field has a default (tests shorten them to milliseconds). */
export interface DeliveryOptions {
  /** Wait before looking again when nothing was due (default 1 s). */
  pollIntervalMs?: number;
  /** Delay before the first retry, doubled per failed attempt (default 1 s). */
  backoffBaseMs?: number;
  /** Longest delay between retries (default 10 min). */
  backoffCapMs?: number;
  /** Time a receiver has to answer (default 10 s). */
  timeoutMs?: number;
  /** Deliveries claimed and sent at once per pass (default 50). */
  batchSize?: number;
  /** Told when a pass fails (the database unreachable, say); the loop carries on (default: stderr). */
  onError?: (err: unknown) => void;
}

/** What one pass did. */
export interface DeliveryPass {
  claimed: number;
  delivered: number;
  failed: number;
}

interface Claimed {
  webhookId: number;
  outboxId: number;
  attempts: number;
  topic: string;
  body: string;
  url: string;
  secret: string;
}

/** How long a claim holds beyond the request timeout: a process that dies mid-pass frees its rows after this. */
const leaseMarginMs = 60_000;

/** Delay before the next attempt after `attempts` failed ones: base·2^(attempts−1), capped, up to a quarter less at random (jitter). */
export function retryDelayMs(attempts: number, baseMs: number, capMs: number, random: () => number = Math.random): number {
  const delay = Math.min(capMs, baseMs * 2 ** Math.min(attempts - 1, 40));
  return Math.round(delay * (1 - 0.25 * random()));
}

/** One pass at time `now`: claims what is due, sends it, records the outcomes. */
export async function deliverDue(db: Database, now: Date, options: DeliveryOptions = {}): Promise<DeliveryPass> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const claimed = await claimDue(db.knex, now, new Date(now.getTime() + timeoutMs + leaseMarginMs), options.batchSize ?? 50);
  if (claimed.length === 0) return { claimed: 0, delivered: 0, failed: 0 };
  const errors = await Promise.all(claimed.map((delivery) => send(delivery, timeoutMs)));
  await record(db.knex, claimed, errors, now, options);
  const failed = errors.filter((error) => error !== null).length;
  return { claimed: claimed.length, delivered: claimed.length - failed, failed };
}

/** Runs passes until stopped; stop() waits for the pass in flight, so its outcomes are recorded. */
export function startWebhookDelivery(db: Database, options: DeliveryOptions = {}): { stop(): Promise<void> } {
  const pollIntervalMs = options.pollIntervalMs ?? 1000;
  const onError = options.onError ?? ((err: unknown) => process.stderr.write(`zhiwei webhooks: ${(err as Error).message ?? err}\n`));
  let stopped = false;
  let wake = () => {};
  const loop = (async () => {
    while (!stopped) {
      let busy = false;
      try {
        busy = (await deliverDue(db, new Date(), options)).claimed > 0;
      } catch (err) {
        onError(err);
      }
      if (!busy && !stopped) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, pollIntervalMs);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      wake();
      await loop;
    },
  };
}

/**
 * Leases up to `limit` due deliveries of active subscriptions, each the earliest undelivered event
 * of its case for its subscription, skipping rows another process holds. Each body is the event
 * with the case's chain head as it is now (`head`: hash and event count), so that a receiver's copy
 * can show events later cut from the end of the chain.
 */
async function claimDue(knex: Knex, now: Date, leaseEnd: Date, limit: number): Promise<Claimed[]> {
  const result = await knex.raw(
    `UPDATE webhook_deliveries d SET locked_until = ?
     FROM (
       SELECT p.webhook_id, p.outbox_id FROM webhook_deliveries p JOIN webhooks pw ON pw.id = p.webhook_id
       WHERE pw.active AND p.delivered_at IS NULL AND p.next_attempt_at <= ? AND (p.locked_until IS NULL OR p.locked_until <= ?)
         AND NOT EXISTS (
           SELECT 1 FROM webhook_deliveries e
           WHERE e.webhook_id = p.webhook_id AND e.case_id = p.case_id AND e.outbox_id < p.outbox_id AND e.delivered_at IS NULL)
       ORDER BY p.next_attempt_at, p.outbox_id
       LIMIT ?
       FOR UPDATE OF p SKIP LOCKED
     ) due, outbox o, webhooks w, cases c
     WHERE d.webhook_id = due.webhook_id AND d.outbox_id = due.outbox_id AND o.id = d.outbox_id AND w.id = d.webhook_id AND c.id = o.case_id
     RETURNING d.webhook_id, d.outbox_id, d.attempts, o.topic, w.url, w.secret,
       CAST(jsonb_set(o.payload, '{head}', jsonb_build_object('hash', c.head_hash, 'event_count', c.event_count)) AS text) AS body`,
    [leaseEnd, now, now, limit],
  );
  return (result.rows as Record<string, unknown>[]).map((row) => ({
    webhookId: Number(row.webhook_id), outboxId: Number(row.outbox_id), attempts: Number(row.attempts),
    topic: String(row.topic), body: String(row.body), url: String(row.url), secret: String(row.secret),
  }));
}

/** POSTs one delivery; null when the receiver answered 2xx, otherwise why not. */
async function send(delivery: Claimed, timeoutMs: number): Promise<string | null> {
  try {
    const response = await fetch(delivery.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'zhiwei-webhooks',
        'x-zhiwei-event': delivery.topic,
        'x-zhiwei-delivery': `${delivery.outboxId}-${delivery.webhookId}`,
        'x-zhiwei-signature': signWebhookBody(delivery.secret, delivery.body),
      },
      body: delivery.body,
      // a redirect is not a delivery: the signed event goes only where it was configured to
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    await response.body?.cancel();
    return response.ok ? null : `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`;
  } catch (err) {
    const cause = (err as { cause?: { message?: string } }).cause?.message;
    return cause ? `${(err as Error).message}: ${cause}` : String((err as Error).message ?? err);
  }
}

/** Marks the 2xx ones delivered and schedules the others' next attempt, in one transaction. */
async function record(knex: Knex, claimed: Claimed[], errors: (string | null)[], now: Date, options: DeliveryOptions): Promise<void> {
  const key = (delivery: Claimed) => [delivery.webhookId, delivery.outboxId];
  const delivered = claimed.filter((_, i) => errors[i] === null);
  await knex.transaction(async (trx) => {
    if (delivered.length > 0) {
      await trx('webhook_deliveries')
        .whereIn(['webhook_id', 'outbox_id'], delivered.map(key))
        .update({ delivered_at: new Date(), attempts: trx.raw('attempts + 1'), locked_until: null, last_error: null });
    }
    for (const [i, delivery] of claimed.entries()) {
      if (errors[i] === null) continue;
      const delay = retryDelayMs(delivery.attempts + 1, options.backoffBaseMs ?? 1000, options.backoffCapMs ?? 600_000);
      await trx('webhook_deliveries')
        .where({ webhook_id: delivery.webhookId, outbox_id: delivery.outboxId })
        .whereNull('delivered_at')
        .update({ attempts: trx.raw('attempts + 1'), next_attempt_at: new Date(now.getTime() + delay), locked_until: null, last_error: errors[i]!.slice(0, 500) });
    }
  });
}
