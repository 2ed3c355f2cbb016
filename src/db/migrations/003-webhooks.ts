/**
 * Webhook subscriptions and their deliveries. Each outbox row (written with its case event) fans
 * out, by trigger in the same transaction, to one delivery row per active subscription, so that
 * no event is ever missed by a subscription that existed when it happened; a subscription added
 * later receives the events from then on.
 */
import type { Migration } from './index.js';

/** Webhooks, per-subscription delivery state and the outbox fan-out. */
export const webhooks: Migration = {
  name: '003_webhooks',
  statements: [
    `CREATE TABLE webhooks (
      id bigserial PRIMARY KEY,
      url text NOT NULL,
      secret text NOT NULL,
      active boolean NOT NULL DEFAULT true,
      created_at timestamptz NOT NULL DEFAULT now())`,
    `CREATE TABLE webhook_deliveries (
      webhook_id bigint NOT NULL REFERENCES webhooks,
      outbox_id bigint NOT NULL REFERENCES outbox,
      case_id bigint NOT NULL,
      attempts integer NOT NULL DEFAULT 0,
      next_attempt_at timestamptz NOT NULL DEFAULT now(),
      locked_until timestamptz,
      delivered_at timestamptz,
      last_error text,
      PRIMARY KEY (webhook_id, outbox_id))`,
    // what is due, and the head of each case's queue per subscription (deliveries are in order per case)
    `CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at, outbox_id) WHERE delivered_at IS NULL`,
    `CREATE INDEX webhook_deliveries_case ON webhook_deliveries (webhook_id, case_id, outbox_id) WHERE delivered_at IS NULL`,
    // search_path as the migration ran, so that the trigger finds this schema's tables from any session
    `CREATE FUNCTION enqueue_webhook_deliveries() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
      BEGIN
        INSERT INTO webhook_deliveries (webhook_id, outbox_id, case_id) SELECT id, NEW.id, NEW.case_id FROM webhooks WHERE active;
        RETURN NEW;
      END $$`,
    `CREATE TRIGGER outbox_webhook_deliveries AFTER INSERT ON outbox
      FOR EACH ROW EXECUTE FUNCTION enqueue_webhook_deliveries()`,
  ],
};
