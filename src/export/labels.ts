/**
 * Chinese labels of case states, violation types, change kinds, case events and evidence kinds,
 * for the exports a bureau reads (XLSX and CSV with Chinese headers, KML descriptions, PDF
 * dossiers). They come from the pages' table (web/shared/vocabulary.js), so that an export and a
 * page name each thing the same way.
 */
import { vocabulary } from '../../web/shared/vocabulary.js';
import { CASE_STATES, type CaseState } from '../cases/states.js';
import { CHANGE_KINDS, VIOLATIONS, type ChangeKind, type Violation } from '../vocabulary.js';

const chinese = vocabulary['zh-CN'];

/** The Chinese label of `key`; the key itself when the table has none (so a gap shows rather than a blank). */
export function chineseLabel(key: string): string {
  return chinese[key] ?? key;
}

const table = <T extends string>(words: readonly T[], prefix: string): Readonly<Record<T, string>> =>
  Object.freeze(Object.fromEntries(words.map((word) => [word, chineseLabel(`${prefix}.${word}`)])) as Record<T, string>);

/** Chinese name of each case state. */
export const stateLabels = table<CaseState>(CASE_STATES, 'state');

/** Chinese name of each violation type. */
export const violationLabels = table<Violation>(VIOLATIONS, 'violation');

/** Chinese name of each change kind. */
export const changeKindLabels = table<ChangeKind>(CHANGE_KINDS, 'kind');
