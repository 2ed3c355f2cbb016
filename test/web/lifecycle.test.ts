/**
 * The pages copy the API's words (they are served without a build step): hold the copies to the
 * frozen lists, and check that each word has a label in both languages and a colour on the map.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { CASE_STATES, OPEN_STATES } from '../../src/cases/states.js';
import { CHANGE_KINDS, VIOLATIONS } from '../../src/vocabulary.js';
import * as web from '../../web/shared/lifecycle.js';
import { stateColours, violationColours } from '../../web/review/layers.js';

describe("the pages' copy of the case words", () => {
  let labels: (key: string, lang: 'zh-CN' | 'en') => string;
  beforeAll(async () => {
    // i18n.js reads the language from the page's address and storage
    const page = { search: '' };
    Object.assign(globalThis, { location: page, localStorage: { getItem: () => null } });
    const { t } = await import('../../web/shared/i18n.js');
    labels = (key, lang) => {
      page.search = `?lang=${lang}`;
      return t(key);
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
});
