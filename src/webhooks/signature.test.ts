import { describe, expect, it } from 'vitest';
import { signWebhookBody, verifyWebhookSignature } from './signature.js';

describe('webhook signatures', () => {
  const secret = 'b1c2d3';
  const body = '{"case_id": 7, "seq": 2, "kind": "transition", "note": "违建已拆除"}';

  it('verifies a body signed with the same secret, as text or as bytes', () => {
    const header = signWebhookBody(secret, body);
    expect(header).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(verifyWebhookSignature(secret, body, header)).toBe(true);
    expect(verifyWebhookSignature(secret, Buffer.from(body), header)).toBe(true);
  });

  it('rejects a tampered body, another secret, and malformed or missing headers', () => {
    const header = signWebhookBody(secret, body);
    expect(verifyWebhookSignature(secret, body.replace('"seq": 2', '"seq": 3'), header)).toBe(false);
    expect(verifyWebhookSignature('other', body, header)).toBe(false);
    expect(verifyWebhookSignature(secret, body, header.toUpperCase())).toBe(false);
    expect(verifyWebhookSignature(secret, body, header.slice(7))).toBe(false);
    expect(verifyWebhookSignature(secret, body, `${header}00`)).toBe(false);
    expect(verifyWebhookSignature(secret, body, undefined)).toBe(false);
  });
});
