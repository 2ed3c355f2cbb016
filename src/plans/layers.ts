/**
 * The three reference layers an analyst imports (DESIGN.md section 2) and the attributes each row
 * must carry: approved plans (规划许可), zones (priority, historic, exempt) and responsibility grids
 * (网格). Attribute names are matched case-insensitively against a few usual spellings, Chinese
 * ones and the 10-character names a Shapefile truncates to; anything else is kept as is.
 */
import type { LayerName } from '../db/layers.js';
import { BadInputError } from '../errors.js';


/** An approved plan row. */
export interface PlanRow {
  permit_no: string;
  kind: string;
  permitted_height_m: number | null;
  permitted_floors: number | null;
  valid_from: string | null;
  valid_to: string | null;
}

/** A zone row; `thresholds` override the detection and overlay defaults inside the zone. */
export interface ZoneRow {
  zone_id: string;
  kind: string;
  name: string | null;
  priority: number;
  thresholds: Record<string, number>;
}

/** A responsibility grid row. */
export interface GridRow {
  grid_id: string;
  street: string | null;
  community: string | null;
  officer: string | null;
}

type FieldType = 'text' | 'number' | 'integer' | 'date';
interface Field {
  type: FieldType;
  names: string[];
  required?: boolean;
  /** The values a text field may take. */
  values?: readonly string[];
  /** The range a number may take, ends included, and its unit as messages write it. */
  range?: [number, number, string?];
}

/** Plan kinds: what the permit allows (README, "plans import"). */
const planKinds = Object.freeze(['new_building', 'existing_building', 'extension', 'additional_floors'] as const);

/** Zone thresholds an analyst may set per zone (see `src/pipeline/overlay-rules.ts`); names as in the overlay SQL. */
export const zoneThresholdFields: Record<string, Field> = {
  min_area_m2: { type: 'number', names: ['min_area_m2', 'min_area', '最小面积'], range: [0, 10_000, 'm²'] },
  min_height_change_m: { type: 'number', names: ['min_height_change_m', 'min_height', 'min_height_', '最小高差'], range: [0, 100, 'm'] },
  height_tolerance_m: { type: 'number', names: ['height_tolerance_m', 'height_tol', '高度容差'], range: [0, 100, 'm'] },
  max_outside_share: { type: 'number', names: ['max_outside_share', 'outside_sh', 'max_outsid'], range: [0, 1] },
  footprint_tolerance_m: { type: 'number', names: ['footprint_tolerance_m', 'footprint_', 'plan_tol'], range: [0, 100, 'm'] },
};

const layerFields: Record<LayerName, Record<string, Field>> = {
  plans: {
    permit_no: { type: 'text', required: true, names: ['permit_no', 'permit', 'permitno', '许可证号', '规划许可证号', '证号'] },
    kind: { type: 'text', names: ['kind', 'type', 'plan_kind', '类型'], values: planKinds },
    permitted_height_m: { type: 'number', names: ['permitted_height_m', 'permitted_', 'height_m', 'height', 'max_height', '限高', '许可高度', '建筑高度'], range: [1, 1000, 'm'] },
    permitted_floors: { type: 'integer', names: ['permitted_floors', 'floors', 'permitted_f', '层数', '许可层数'], range: [1, 200] },
    valid_from: { type: 'date', names: ['valid_from', 'valid_fro', '生效日期', '发证日期', '批准日期'] },
    valid_to: { type: 'date', names: ['valid_to', 'valid_unti', 'valid_until', '有效期至', '失效日期'] },
  },
  zones: {
    zone_id: { type: 'text', required: true, names: ['zone_id', 'zoneid', 'id', '编号', '区域编号'] },
    kind: { type: 'text', required: true, names: ['kind', 'type', 'zone_kind', '类型'] },
    name: { type: 'text', names: ['name', '名称'] },
    priority: { type: 'number', names: ['priority', 'weight', 'priority_weight', '权重', '优先级'], range: [0, 100] },
  },
  grids: {
    grid_id: { type: 'text', required: true, names: ['grid_id', 'gridid', 'grid', '网格编号', '网格号', 'id'] },
    street: { type: 'text', names: ['street', '街道', '乡镇'] },
    community: { type: 'text', names: ['community', '社区', '村', '村社区'] },
    officer: { type: 'text', names: ['officer', '网格员', '负责人'] },
  },
};


/** Zone kinds with a meaning in the overlay; others are allowed and weigh by their priority. */
export const exemptZoneKind = 'exempt';

/**
 * The layer's row from a feature's attributes; the attributes used are removed from `rest`.
 * Throws a message (without file and row, which the caller adds) naming the attribute.
 */
export function layerRow(layer: LayerName, attributes: Record<string, unknown>): { row: Record<string, unknown>; rest: Record<string, unknown> } {
  const rest = { ...attributes };
  const row: Record<string, unknown> = {};
  for (const [field, spec] of Object.entries(layerFields[layer])) row[field] = take(rest, field, spec);
  if (layer === 'plans') {
    row.kind ??= 'new_building';
    if (row.valid_from !== null && row.valid_to !== null && (row.valid_to as string) < (row.valid_from as string)) {
      throw new BadInputError(`"valid_to" = ${row.valid_to} is before "valid_from" = ${row.valid_from}`, 'swap the dates, or leave valid_to empty for a permit without end');
    }
  }
  if (layer === 'zones') {
    row.priority ??= row.kind === exemptZoneKind ? 0 : 1;
    const thresholds: Record<string, number> = {};
    for (const [field, spec] of Object.entries(zoneThresholdFields)) {
      const value = take(rest, field, spec);
      if (value !== null) thresholds[field] = value as number;
    }
    row.thresholds = thresholds;
  }
  return { row, rest };
}

function take(attributes: Record<string, unknown>, field: string, spec: Field): unknown {
  const name = Object.keys(attributes).find((key) => spec.names.includes(key.trim().toLowerCase()));
  const raw = name === undefined ? null : attributes[name];
  if (name !== undefined) delete attributes[name];
  const value = raw === undefined || raw === null || (typeof raw === 'string' && raw.trim() === '') ? null : parseValue(raw, spec.type, name ?? field);
  if (value === null && spec.required) throw new BadInputError(`the attribute "${field}" is missing or empty (accepted names: ${spec.names.join(', ')})`);
  if (value !== null) checkValue(value, spec, name ?? field);
  return value;
}

/** Refuses a value outside the field's list or range, naming the attribute as the file does. */
function checkValue(value: string | number, spec: Field, name: string): void {
  if (spec.values && !spec.values.includes(value as string)) {
    throw new BadInputError(`"${name}" = ${JSON.stringify(value)} is not one of ${spec.values.join(', ')}`);
  }
  if (spec.range) {
    const [min, max, unit] = spec.range;
    if ((value as number) < min || (value as number) > max) {
      throw new BadInputError(`"${name}" = ${value} is out of range (${min} to ${max}${unit ? ` ${unit}` : ''})`);
    }
  }
}

function parseValue(raw: unknown, type: FieldType, name: string): string | number {
  if (type === 'text') return String(raw).trim();
  if (type === 'date') return parseDate(raw, name);
  const number = typeof raw === 'number' ? raw : Number(String(raw).trim().replace(/\s*(m|米|层)$/, ''));
  if (!Number.isFinite(number) || (type === 'integer' && !Number.isInteger(number))) {
    throw new BadInputError(`"${name}" = ${JSON.stringify(raw)} is not ${type === 'integer' ? 'a whole number' : 'a number'}`);
  }
  return number;
}

/** A calendar date as YYYY-MM-DD from ISO text, YYYYMMDD, YYYY/MM/DD, 2024年5月1日, or a Date. */
export function parseDate(raw: unknown, name: string): string {
  if (raw instanceof Date && !Number.isNaN(raw.getTime())) return raw.toISOString().slice(0, 10);
  const text = String(raw).trim();
  const match = /^(\d{4})[-/.年]?(\d{1,2})[-/.月]?(\d{1,2})日?(?:[T ].*)?$/.exec(text);
  if (match) {
    const [year, month, day] = match.slice(1).map(Number);
    const date = new Date(Date.UTC(year, month - 1, day));
    if (date.getUTCMonth() === month - 1 && date.getUTCDate() === day) return date.toISOString().slice(0, 10);
  }
  throw new BadInputError(`"${name}" = ${JSON.stringify(raw)} is not a date (use YYYY-MM-DD)`);
}
