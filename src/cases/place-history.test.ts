import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { vocabulary } from '../../web/shared/vocabulary.js';
import { decisionWords } from './place-history.js';

/** The decision texts the overlay (and the survey's) writes, as its SQL spells them (`%s` for a value). */
function overlayDecisions(): string[] {
  const sql = readFileSync(new URL('../pipeline/overlay/sql.ts', import.meta.url), 'utf8');
  const decisions = sql.slice(sql.indexOf('END AS violation'), sql.indexOf('END AS decision'));
  const survey = readFileSync(new URL('../pipeline/overlay/survey.ts', import.meta.url), 'utf8');
  return [
    ...[...decisions.matchAll(/(?:THEN|ELSE)\s+(?:format\()?'([^']*)'/g)].map((m) => m[1]),
    ...[...survey.matchAll(/decision = format\('([^']*)'/g)].map((m) => m[1]),
  ];
}

describe('place history decisions', () => {
  it('knows every decision the overlay writes, and the pages can say each in Chinese and English', () => {
    const texts = overlayDecisions();
    expect(texts.length).toBeGreaterThanOrEqual(12);
    for (const text of texts) {
      const sample = text.replaceAll('%s', '12.5').replaceAll('%%', '%');
      const { decisionKey, decisionValues } = decisionWords(sample);
      expect(decisionKey, sample).not.toBeNull();
      const zh = vocabulary['zh-CN'][`decision.${decisionKey}`];
      expect(vocabulary.en[`decision.${decisionKey}`], sample).toBeDefined();
      expect(zh, sample).toBeDefined();
      // every value the text carries has its place in the Chinese label, which has no English word
      for (const name of Object.keys(decisionValues)) expect(zh, `${sample}: ${name}`).toContain(`{${name}}`);
      expect(zh.replace(/\{\w+\}/g, '')).not.toMatch(/[a-z]{2,}/);
    }
  });

  it('reads the permit and date out of a permit not yet valid', () => {
    expect(decisionWords('permit 建字第2025-001号 is valid only from 2025-03-01')).toEqual({
      decisionKey: 'permit_not_yet_valid', decisionValues: { permit: '建字第2025-001号', date: '2025-03-01' },
    });
    expect(decisionWords('something new')).toEqual({ decisionKey: null, decisionValues: {} });
    expect(decisionWords(null)).toEqual({ decisionKey: null, decisionValues: {} });
  });
});
