/**
 * The mapping that turns a CAD plan drawing into attributed polygons: its CRS, which layers hold
 * outlines (with fixed properties per layer), and which label texts fill which fields.
 */
import { readFile } from 'node:fs/promises';
import { crsDefinition, type Crs } from '../geo/crs.js';
import { BadInputError } from '../errors.js';

/** A label rule: texts matching `pattern` fill `field` (first capture group, else the whole match). */
export interface DxfTextRule {
  field: string;
  pattern: string;
  /** Parse the captured text as a number. */
  number?: boolean;
}

/** Fixed properties every outline on a layer gets, such as { "kind": "new_building" }. */
export type DxfLayerProperties = Record<string, string | number | boolean | null>;

/** A DXF mapping file's content. Without `layers`, every closed polyline is read. */
export interface DxfMapping {
  crs?: Crs;
  layers?: Record<string, DxfLayerProperties>;
  text?: DxfTextRule[];
}

/** Reads and validates a DXF mapping JSON file. */
export async function readDxfMapping(path: string): Promise<DxfMapping> {
  let json: unknown;
  try {
    json = JSON.parse((await readFile(path, 'utf8')).replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new BadInputError(`${path}: DXF mapping is not readable as JSON (${(err as Error).message})`);
  }
  return parseDxfMapping(json, path);
}

/** Validates parsed mapping JSON; errors name `name` (the mapping file) and the bad entry. */
export function parseDxfMapping(json: unknown, name: string): DxfMapping {
  const mapping = objectOf(json, `${name}: the DXF mapping`);
  checkKeys(mapping, ['crs', 'layers', 'text'], `${name}: the DXF mapping`);
  const result: DxfMapping = {};
  if (mapping.crs !== undefined) result.crs = checkCrs(mapping.crs, name);
  if (mapping.layers !== undefined) {
    const layers = objectOf(mapping.layers, `${name}: "layers"`);
    result.layers = Object.fromEntries(Object.entries(layers).map(([layer, value]) => [layer, layerProperties(value, `${name}: layer "${layer}"`)]));
  }
  if (mapping.text !== undefined) {
    if (!Array.isArray(mapping.text)) throw new BadInputError(`${name}: "text" must be a list of {"field", "pattern"} rules`);
    result.text = mapping.text.map((rule, i) => textRule(rule, `${name}: text rule ${i + 1}`));
  }
  return result;
}

function checkCrs(value: unknown, name: string): Crs {
  if (typeof value !== 'string' && typeof value !== 'number') throw new BadInputError(`${name}: "crs" must be like "EPSG:4549"`);
  try {
    crsDefinition(value);
  } catch (err) {
    throw new BadInputError(`${name}: "crs": ${(err as Error).message}`);
  }
  return value;
}

function layerProperties(value: unknown, where: string): DxfLayerProperties {
  const properties = objectOf(value, where);
  for (const [key, property] of Object.entries(properties)) {
    if (property !== null && !['string', 'number', 'boolean'].includes(typeof property)) {
      throw new BadInputError(`${where}: property "${key}" must be a string, number, boolean or null`);
    }
  }
  return properties as DxfLayerProperties;
}

function textRule(value: unknown, where: string): DxfTextRule {
  const rule = objectOf(value, where);
  checkKeys(rule, ['field', 'pattern', 'number'], where);
  if (typeof rule.field !== 'string' || rule.field === '') throw new BadInputError(`${where}: "field" must be a non-empty string`);
  if (typeof rule.pattern !== 'string' || rule.pattern === '') throw new BadInputError(`${where}: "pattern" must be a non-empty string`);
  try {
    new RegExp(rule.pattern);
  } catch (err) {
    throw new BadInputError(`${where}: "pattern" is not a valid regular expression (${(err as Error).message})`);
  }
  if (rule.number !== undefined && typeof rule.number !== 'boolean') throw new BadInputError(`${where}: "number" must be true or false`);
  return { field: rule.field, pattern: rule.pattern, ...(rule.number !== undefined && { number: rule.number }) };
}

function objectOf(value: unknown, where: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new BadInputError(`${where} must be a JSON object`);
  return value as Record<string, unknown>;
}

function checkKeys(value: Record<string, unknown>, allowed: string[], where: string): void {
  const unknown = Object.keys(value).filter((key) => !allowed.includes(key));
  if (unknown.length > 0) {
    throw new BadInputError(`${where} has unknown key${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `"${k}"`).join(', ')}; allowed: ${allowed.join(', ')}`);
  }
}
