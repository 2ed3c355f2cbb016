/**
 * Error kinds shared by the CLI and the service. Each kind maps to one HTTP status and one CLI
 * exit code (see `errorKinds`), so a bad job spec reads the same from the terminal and the API.
 */

/** HTTP status and CLI exit code of each error kind. */
export const errorKinds = Object.freeze({
  bad_input: { status: 400, exitCode: 2 },
  unauthorized: { status: 401, exitCode: 7 },
  forbidden: { status: 403, exitCode: 3 },
  not_found: { status: 404, exitCode: 4 },
  conflict: { status: 409, exitCode: 5 },
  dependency_missing: { status: 503, exitCode: 6 },
  internal: { status: 500, exitCode: 1 },
});

export type ErrorKind = keyof typeof errorKinds;

/** Base error: a message a user can act on, and optionally a hint saying how to fix it. */
export class ZhiweiError extends Error {
  readonly kind: ErrorKind;
  readonly hint?: string;
  constructor(kind: ErrorKind, message: string, hint?: string) {
    super(message);
    this.name = 'ZhiweiError';
    this.kind = kind;
    this.hint = hint;
  }
}

/** Input that cannot be used: a corrupt file, a missing field, an unknown CRS; `field` names the input at fault where one is. */
export class BadInputError extends ZhiweiError {
  readonly field?: string;
  constructor(message: string, hint?: string, field?: string) {
    super('bad_input', message, hint);
    this.name = 'BadInputError';
    this.field = field;
  }
}

/** A file, record or resource that does not exist. */
export class NotFoundError extends ZhiweiError {
  constructor(message: string, hint?: string) {
    super('not_found', message, hint);
    this.name = 'NotFoundError';
  }
}

/** A request that clashes with the current state (a transition not allowed from here, a database or port another process holds). */
export class ConflictError extends ZhiweiError {
  constructor(message: string, hint?: string) {
    super('conflict', message, hint);
    this.name = 'ConflictError';
  }
}

/** No valid credentials: a missing, unknown or revoked token, or an inactive user. */
export class UnauthorizedError extends ZhiweiError {
  constructor(message: string, hint?: string) {
    super('unauthorized', message, hint);
    this.name = 'UnauthorizedError';
  }
}

/** The caller's role does not allow this. */
export class ForbiddenError extends ZhiweiError {
  constructor(message: string, hint?: string) {
    super('forbidden', message, hint);
    this.name = 'ForbiddenError';
  }
}

/** Something the installation lacks: a model file, a database extension, a font. */
export class DependencyMissingError extends ZhiweiError {
  constructor(message: string, hint?: string) {
    super('dependency_missing', message, hint);
    this.name = 'DependencyMissingError';
  }
}

/** The kind of any thrown value; anything that is not a ZhiweiError is internal. */
export function errorKindOf(err: unknown): ErrorKind {
  return err instanceof ZhiweiError ? err.kind : 'internal';
}
