/**
 * Chinese labels of case states, violation types and change kinds, for the exports a bureau reads
 * (XLSX and CSV with Chinese headers, KML descriptions, PDF dossiers).
 */
import type { CaseState } from '../cases/states.js';
import type { ChangeKind, Violation } from '../vocabulary.js';

/** Chinese name of each case state. */
export const stateLabels: Readonly<Record<CaseState, string>> = Object.freeze({
  detected: '已发现',
  triaged: '已研判',
  dismissed: '已排除',
  dispatched: '已派发',
  verified_illegal: '核实违法',
  verified_legal: '核实合法',
  false_positive: '误报',
  disposing: '处置中',
  reinspected: '已复查',
  closed: '已办结',
});

/** Chinese name of each violation type. */
export const violationLabels: Readonly<Record<Violation, string>> = Object.freeze({
  no_permit: '无证建设',
  outside_permitted_footprint: '超出许可范围',
  exceeds_permitted_height: '超出许可高度',
  permit_expired: '许可已过期',
  none: '无违法',
});

/** Chinese name of each change kind. */
export const changeKindLabels: Readonly<Record<ChangeKind, string>> = Object.freeze({
  new_building: '新建建筑',
  extension: '扩建',
  rooftop_addition: '屋顶加建',
  height_increase: '加层增高',
  demolition: '拆除',
  ground_structure: '地面构筑物',
});
