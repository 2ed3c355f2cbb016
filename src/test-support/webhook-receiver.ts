/**
 * A webhook receiver on 127.0.0.1 for tests and benches: records every request it gets, answers
 * 500 to the first `failFirst` of them and 200 afterwards, optionally after a delay.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the receiver got it. */
export interface ReceivedWebhook {
  delivery: string;
  event: string;
  signature: string;
  body: string;
  /** What the receiver answered. */
  status: number;
}

/** A running receiver. */
export interface WebhookReceiver {
  url: string;
  received: ReceivedWebhook[];
  close(): Promise<void>;
}

/** Starts a receiver on `port` (0: any free port). */
export async function startWebhookReceiver(options: { port?: number; failFirst?: number; delayMs?: () => number } = {}): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const status = received.length < (options.failFirst ?? 0) ? 500 : 200;
      const header = (name: string) => String(request.headers[name] ?? '');
      received.push({ delivery: header('x-zhiwei-delivery'), event: header('x-zhiwei-event'), signature: header('x-zhiwei-signature'), body: Buffer.concat(chunks).toString('utf8'), status });
      setTimeout(() => response.writeHead(status).end(), options.delayMs?.() ?? 0);
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    received,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** A loopback port nothing listens on (it was free a moment ago). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
