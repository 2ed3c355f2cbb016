/**
 * Runs the service: listens, and on SIGTERM or SIGINT stops taking connections, lets the requests
 * in flight finish (their connections then close, keep-alive or not), then settles `stopped`
 * (the caller closes the database after it).
 */
import type { ServerResponse } from 'node:http';
import { createServer } from 'node:net';
import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import { ConflictError } from '../errors.js';
import { buildApp, type AppOptions } from './app.js';

/** A listening service. */
export interface RunningServer {
  app: FastifyInstance;
  /** Where it listens, e.g. http://127.0.0.1:8080. */
  address: string;
  /** Settles once the service has shut down (after a signal or `stop()`). */
  stopped: Promise<void>;
  stop(): Promise<void>;
}

/** Starts the service on `host:port` (port 0 picks a free one); it logs each request unless `server` says otherwise. */
export async function startServer(options: AppOptions & { host: string; port: number }, server: FastifyServerOptions = {}): Promise<RunningServer> {
  const app = await buildApp(options, { logger: { level: 'info' }, return503OnClosing: true, ...server });
  const address = await app.listen({ host: options.host, port: options.port }).catch(async (err: unknown) => {
    await app.close();
    throw listenError(err, options.port);
  });
  const inFlight = new Set<ServerResponse>();
  app.server.on('request', (_request, response: ServerResponse) => {
    inFlight.add(response);
    response.on('close', () => inFlight.delete(response));
  });
  let markStopped: () => void = () => {};
  const stopped = new Promise<void>((resolve) => (markStopped = resolve));
  let stopping: Promise<void> | null = null;
  const onSignal = (signal: NodeJS.Signals) => {
    app.log.info(`${signal}: finishing the requests in flight, then stopping`);
    void stop();
  };
  const stop = () => {
    // a keep-alive connection would otherwise hold the shutdown open after its last response
    for (const response of inFlight) if (!response.headersSent) response.setHeader('connection', 'close');
    stopping ??= app.close().finally(() => {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      markStopped();
    });
    return stopping;
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  return { app, address, stopped, stop };
}

/** Refuses a busy port at once, before the database opens (`startServer` would find it only after). */
export async function assertPortFree(host: string, port: number): Promise<void> {
  const probe = createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', (err) => reject(listenError(err, port)));
    probe.listen({ host, port }, resolve);
  });
  await new Promise((resolve) => probe.close(resolve));
}

function listenError(err: unknown, port: number): unknown {
  if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') return err;
  return new ConflictError(`port ${port} is in use (another zhiwei serve?)`, 'pass --port N (0 picks a free one), or stop what listens there');
}
