/**
 * Webhook signatures: `X-Zhiwei-Signature: sha256=<hex>`, the HMAC-SHA256 of the raw request body
 * with the subscription's secret. Receivers check it on the bytes they received, before parsing.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** The `X-Zhiwei-Signature` header value of `body` signed with `secret`. */
export function signWebhookBody(secret: string, body: string | Uint8Array): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** True when `header` is the signature of `body` with `secret` (compared in constant time). */
export function verifyWebhookSignature(secret: string, body: string | Uint8Array, header: string | null | undefined): boolean {
  if (typeof header !== 'string' || !/^sha256=[0-9a-f]{64}$/.test(header)) return false;
  const expected = Buffer.from(signWebhookBody(secret, body));
  return timingSafeEqual(expected, Buffer.from(header));
}
