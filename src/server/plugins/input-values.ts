/**
 * Values the schemas let through but the database cannot take: text holding a NUL character
 * (PostgreSQL text and jsonb refuse `\u0000`) and numbers beyond a double (`1e309` reads as
 * Infinity, which the schema validator's coercion passes). Refused as 400 naming the field, after
 * validation and before any route runs.
 */
import type { FastifyInstance } from 'fastify';
import { BadInputError } from '../../errors.js';

/** Adds the check to every route registered after it. */
export function refuseUnstorableValues(app: FastifyInstance): void {
  app.addHook('preHandler', async (request) => {
    checkStorableValues(request.params, 'params');
    checkStorableValues(request.query, 'querystring');
    // a multipart body is read by its route, which checks its fields
    if (!request.isMultipart()) checkStorableValues(request.body, 'body');
  });
}

/** Throws BadInputError naming the first field (`body.note`, `querystring.limit`) holding a NUL character or a number that is not finite. */
export function checkStorableValues(value: unknown, field: string): void {
  if (typeof value === 'string' && value.includes('\u0000')) {
    throw new BadInputError(`${field}: holds a NUL character (\\u0000), which the database cannot take`, 'send the text without control characters', field);
  }
  if (typeof value === 'number' && !Number.isFinite(value)) {
    throw new BadInputError(`${field}: a number ${value > 0 ? 'above' : 'below'} ${value > 0 ? '' : '-'}1.8e308, which no field takes`, undefined, field);
  }
  if (Array.isArray(value)) value.forEach((item, i) => checkStorableValues(item, `${field}.${i}`));
  else if (value !== null && typeof value === 'object' && !Buffer.isBuffer(value)) {
    for (const [key, item] of Object.entries(value)) {
      checkStorableValues(key, field);
      checkStorableValues(item, `${field}.${key}`);
    }
  }
}
