/**
 * Errors as problem+json (RFC 9457): `type`, `title`, `status`, `detail`, and the field at fault
 * or the allowed next states where they apply. zhiwei's error kinds map to their status through
 * `errors.ts` (an Idempotency-Key reused with other content is a 422); validation and framework
 * errors keep theirs; a multipart body the parser cannot read is a 400; a database that does not
 * answer is a 503 with `Retry-After`; anything else is a 500 whose detail stays in the log, never
 * in the response.
 */
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { BadInputError, errorKinds, ZhiweiError, type ErrorKind } from '../../errors.js';
import { AllowedStatesConflict, SubmissionReused } from '../../cases/transitions.js';

/** A problem as the API sends it. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  [member: string]: unknown;
}

const titles: Record<number, string> = {
  400: 'Bad request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not found', 406: 'Not acceptable', 409: 'Conflict',
  413: 'Content too large', 415: 'Unsupported media type', 422: 'Unprocessable content', 429: 'Too many requests', 500: 'Internal server error', 503: 'Service unavailable',
};

/** Sends a problem+json response. */
export function sendProblem(reply: FastifyReply, status: number, detail: string, extra: Record<string, unknown> = {}): FastifyReply {
  const kind = (Object.keys(errorKinds) as ErrorKind[]).find((k) => errorKinds[k].status === status);
  const problem: Problem = { type: `urn:zhiwei:problem:${kind ?? status}`, title: titles[status] ?? 'Error', status, detail, ...extra };
  if (status === 401) reply.header('www-authenticate', 'Bearer');
  return reply.code(status).type('application/problem+json').send(problem);
}

/** Installs the error and not-found handlers on the whole app. */
export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | ZhiweiError, request, reply) => {
    if (error instanceof ZhiweiError) {
      const extra: Record<string, unknown> = {};
      if (error.hint) extra.hint = error.hint;
      if (error instanceof AllowedStatesConflict) extra.allowed = error.allowed;
      if (error instanceof BadInputError && error.field) extra.field = error.field;
      return sendProblem(reply, error instanceof SubmissionReused ? 422 : errorKinds[error.kind].status, error.message, extra);
    }
    if ('validation' in error && error.validation) {
      const field = validationField(error);
      return sendProblem(reply, 400, `${field ? `${field}: ` : ''}${validationMessage(error)}`, field ? { field } : {});
    }
    if (databaseUnavailable(error)) {
      request.log.error({ err: error }, 'the database does not answer');
      reply.header('retry-after', String(retryAfterSeconds));
      return sendProblem(reply, 503, 'the database does not answer; try again shortly');
    }
    // busboy's errors for a body cut short or without its boundary carry no status
    if (typeof error.statusCode !== 'number' && /multipart/i.test(error.message)) {
      return sendProblem(reply, 400, `body: the multipart/form-data body cannot be read (${error.message})`, { field: 'body', hint: 'send the whole body again' });
    }
    const status = typeof error.statusCode === 'number' ? error.statusCode : 500;
    if (status >= 500) {
      request.log.error({ err: error }, 'request failed');
      return sendProblem(reply, status === 503 ? 503 : 500, 'the request failed inside the service; the log has the details');
    }
    return sendProblem(reply, status, error.message);
  });
  app.setNotFoundHandler((request, reply) => sendProblem(reply, 404, `no route ${request.method} ${request.url.split('?')[0]}`));
}

/** Seconds a client is asked to wait while the database does not answer. */
export const retryAfterSeconds = 10;

/**
 * Whether `error` says the database does not answer: no pooled connection in time, a connection
 * refused or dropped, PostgreSQL shutting down, starting up or out of connections.
 */
function databaseUnavailable(error: Error): boolean {
  const code = (error as { code?: unknown }).code;
  if (error.name === 'KnexTimeoutError' || /^Connection terminated/.test(error.message)) return true;
  if (typeof code !== 'string') return false;
  return ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', '57P01', '57P02', '57P03', '53300'].includes(code) || code.startsWith('08');
}

/**
 * What is wrong with the field; for a choice among fixed values (a union of literals: one `const`
 * error per value) the values to choose from.
 */
function validationMessage(error: FastifyError): string {
  const [first] = error.validation ?? [];
  if (!first) return error.message;
  const choices = (error.validation ?? []).filter((v) => v.keyword === 'const' && v.instancePath === first.instancePath).map((v) => (v.params as { allowedValue: unknown }).allowedValue);
  return choices.length > 1 ? `must be one of ${choices.join(', ')}` : (first.message ?? error.message);
}

/** The request field a validation error is about: `query.bbox`, `body.lon`, `params.id`. */
function validationField(error: FastifyError): string | null {
  const [first] = error.validation ?? [];
  if (!first) return null;
  const path = first.instancePath.replace(/^\//, '').replace(/\//g, '.');
  const { missingProperty, additionalProperty } = first.params as { missingProperty?: string; additionalProperty?: string };
  const name = [path, missingProperty ?? additionalProperty].filter(Boolean).join('.');
  return `${error.validationContext ?? 'request'}${name ? `.${name}` : ''}`;
}
