/** Loading and validation of model manifests (`models/<name>.json`). */
import { readFile } from 'node:fs/promises';
import { BadInputError } from '../errors.js';
import type { ModelInput, ModelManifest, Radiometry } from './types.js';

type Json = Record<string, unknown>;

/** Reads and validates the manifest at `path`; errors name the file and the field. */
export async function readManifest(path: string): Promise<ModelManifest> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    throw new BadInputError(`${path}: not a readable JSON manifest (${(err as Error).message})`);
  }
  return parseManifest(json, path);
}

/** Validates a parsed manifest; `file` names it in error messages. */
export function parseManifest(json: unknown, file: string): ModelManifest {
  const fail = (field: string, expected: string, value: unknown): never => {
    throw new BadInputError(`${file}: ${field} must be ${expected}, got ${JSON.stringify(value) ?? 'nothing'}`);
  };
  const object = (value: unknown, field: string): Json =>
    typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : fail(field, 'an object', value);
  const text = (value: unknown, field: string): string =>
    typeof value === 'string' && value.length > 0 ? value : fail(field, 'a non-empty string', value);
  const literal = <T extends string>(value: unknown, field: string, expected: T): T =>
    value === expected ? expected : fail(field, `"${expected}"`, value);
  const triple = (value: unknown, field: string, positive: boolean): [number, number, number] =>
    Array.isArray(value) && value.length === 3 && value.every((v) => Number.isFinite(v) && (!positive || v > 0))
      ? [value[0], value[1], value[2]]
      : fail(field, `3 ${positive ? 'positive ' : ''}numbers (R, G, B)`, value);

  const m = object(json, 'the manifest');
  const inputs = object(m.inputs, 'inputs');
  const input = (epoch: 'before' | 'after'): ModelInput => {
    const i = object(inputs[epoch], `inputs.${epoch}`);
    return {
      name: text(i.name, `inputs.${epoch}.name`),
      channels: literal(i.channels, `inputs.${epoch}.channels`, 'RGB'),
      layout: literal(i.layout, `inputs.${epoch}.layout`, 'NCHW'),
      dtype: literal(i.dtype, `inputs.${epoch}.dtype`, 'float32'),
    };
  };
  const before = input('before');
  const after = input('after');
  if (before.name === after.name) fail('inputs.after.name', `different from inputs.before.name`, after.name);

  const normalization = object(m.normalization, 'normalization');
  const tileSize = m.tile_size;
  if (!Number.isInteger(tileSize) || (tileSize as number) <= 0 || (tileSize as number) % 32 !== 0) {
    fail('tile_size', 'a positive multiple of 32', tileSize);
  }
  const tile = tileSize as number;
  const overlap = m.overlap;
  if (!Number.isInteger(overlap) || (overlap as number) < 0 || (overlap as number) * 2 >= tile) {
    fail('overlap', `a whole number of pixels from 0 to less than half of tile_size (${tile})`, overlap);
  }
  const gsd = m.gsd_m;
  if (typeof gsd !== 'number' || !(gsd > 0) || !Number.isFinite(gsd)) fail('gsd_m', 'a positive number of metres', gsd);
  const threshold = m.threshold;
  if (typeof threshold !== 'number' || !(threshold > 0 && threshold < 1)) fail('threshold', 'a probability between 0 and 1', threshold);
  const output = object(m.output, 'output');
  const radiometry = m.radiometry ?? 'as_is';
  if (radiometry !== 'as_is' && radiometry !== 'before_matched_to_after') fail('radiometry', '"as_is" or "before_matched_to_after"', radiometry);

  return {
    name: text(m.name, 'name'),
    version: text(m.version, 'version'),
    inputs: { before, after },
    normalization: { mean: triple(normalization.mean, 'normalization.mean', false), std: triple(normalization.std, 'normalization.std', true) },
    radiometry: radiometry as Radiometry,
    tile_size: tile,
    overlap: overlap as number,
    gsd_m: gsd as number,
    output: {
      name: text(output.name, 'output.name'),
      layout: literal(output.layout, 'output.layout', 'NCHW'),
      dtype: literal(output.dtype, 'output.dtype', 'float32'),
    },
    threshold: threshold as number,
    card: object(m.card, 'card'),
  };
}
