/**
 * The pages copy the API's words (they are served without a build step): hold the copies to the
 * frozen lists, and check that each word has a label in both languages and a colour on the map.
 * The labels of those words live in one table (web/shared/vocabulary.js) that the pages and the
 * exports both read: hold both to it, so that no private copy creeps back.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CASE_STATES, OPEN_STATES } from '../../src/cases/states.js';
import { changeKindLabels, chineseLabel, stateLabels, violationLabels } from '../../src/export/labels.js';
import { CHANGE_KINDS, VIOLATIONS } from '../../src/vocabulary.js';
import * as web from '../../web/shared/lifecycle.js';
import { vocabulary } from '../../web/shared/vocabulary.js';
import { stateColours, violationColours } from '../../web/review/layers.js';

describe("the pages' copy of the case words", () => {
  let labels: (key: string, lang: 'zh-CN' | 'en', values?: Record<string, string>) => string;
  beforeAll(async () => {
    // i18n.js reads the language from the page's address and storage
    const page = { search: '' };
    Object.assign(globalThis, { location: page, localStorage: { getItem: () => null } });
    const { t } = await import('../../web/shared/i18n.js');
    // each page's own messages, as the pages add them
    await import('../../web/review/messages.js');
    await import('../../web/field/messages.js');
    labels = (key, lang, values) => {
      page.search = `?lang=${lang}`;
      return t(key, values);
    };
  });

  it('equals the frozen lists of the code', () => {
    expect(web.CASE_STATES).toEqual(CASE_STATES);
    expect(web.OPEN_STATES).toEqual(OPEN_STATES);
    expect(web.VIOLATIONS).toEqual(VIOLATIONS);
    expect(web.CHANGE_KINDS).toEqual(CHANGE_KINDS);
  });

  it('has a label in Chinese and in English, and a map colour, for every word', () => {
    const keys = [...CASE_STATES.map((s) => `state.${s}`), ...VIOLATIONS.map((v) => `violation.${v}`), ...CHANGE_KINDS.map((k) => `kind.${k}`)];
    for (const key of keys) {
      expect(labels(key, 'zh-CN'), key).not.toBe(key);
      expect(labels(key, 'en'), key).not.toBe(key);
      expect(labels(key, 'en'), key).not.toBe(labels(key, 'zh-CN'));
    }
    expect(Object.keys(stateColours).sort()).toEqual([...CASE_STATES].sort());
    expect(Object.keys(violationColours).sort()).toEqual([...VIOLATIONS].sort());
  });

  it('takes every label of a word from the one table, as the exports do', () => {
    for (const lang of ['zh-CN', 'en'] as const) {
      for (const [key, label] of Object.entries(vocabulary[lang])) {
        // placeholders filled with themselves, so the text compares whole
        const itself = Object.fromEntries([...label.matchAll(/\{(\w+)\}/g)].map(([placeholder, name]) => [name, placeholder]));
        expect(labels(key, lang, itself), key).toBe(label);
      }
    }
    for (const state of CASE_STATES) expect(stateLabels[state]).toBe(vocabulary['zh-CN'][`state.${state}`]);
    for (const violation of VIOLATIONS) expect(violationLabels[violation]).toBe(vocabulary['zh-CN'][`violation.${violation}`]);
    for (const kind of CHANGE_KINDS) expect(changeKindLabels[kind]).toBe(vocabulary['zh-CN'][`kind.${kind}`]);
    // no page script keeps its own label for a word of the table
    const prefixes = [...new Set(Object.keys(vocabulary['zh-CN']).map((key) => key.split('.')[0]))];
    const own = new RegExp(`'(${prefixes.join('|')})\\.[a-z_]+':`);
    for (const file of webScripts().filter((path) => !path.endsWith('vocabulary.js'))) expect(readFileSync(file, 'utf8'), file).not.toMatch(own);
  });

  it('has a Chinese and an English label for every word, the Chinese without an English word', () => {
    const source = (path: string) => readFileSync(new URL(`../../src/${path}`, import.meta.url), 'utf8');
    const planKinds = [...source('plans/layers.ts').match(/planKinds = Object\.freeze\(\[([^\]]*)\]/)![1].matchAll(/'(\w+)'/g)].map((m) => m[1]);
    // a transition records the state it reaches as its kind; the overlay adds these
    const overlayEvents = ['detected', 'redetected', 'reopened', 'reinspection_evidence'];
    for (const kind of overlayEvents) expect(source('pipeline/overlay/emit.ts')).toContain(`'${kind}'`);
    const evidenceKinds = ['detection', 'reinspection', 'photo'];
    const keys = [
      ...CASE_STATES.map((s) => `state.${s}`), ...VIOLATIONS.map((v) => `violation.${v}`), ...CHANGE_KINDS.map((k) => `kind.${k}`),
      ...planKinds.map((k) => `permit_kind.${k}`), ...[...CASE_STATES, ...overlayEvents].map((k) => `case_event.${k}`),
      ...evidenceKinds.map((k) => `evidence_kind.${k}`),
    ];
    expect(planKinds).toContain('additional_floors');
    for (const key of keys) {
      expect(vocabulary['zh-CN'][key], key).toBeDefined();
      expect(vocabulary.en[key], key).toBeDefined();
      expect(chineseLabel(key)).toBe(vocabulary['zh-CN'][key]);
    }
    expect(Object.keys(vocabulary.en).sort()).toEqual(Object.keys(vocabulary['zh-CN']).sort());
    for (const [key, label] of Object.entries(vocabulary['zh-CN'])) expect(label.replace(/\{\w+\}/g, ''), key).not.toMatch(/[a-z]{2,}/);
  });
});

/** The pages' scripts. */
function webScripts(dir = new URL('../../web/', import.meta.url).pathname): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? webScripts(join(dir, entry.name)) : entry.name.endsWith('.js') ? [join(dir, entry.name)] : []);
}
