import { describe, expect, it } from 'vitest';
import { plainMText, plainText } from './dxf-text.js';

describe('DXF label text', () => {
  it('strips MTEXT font, height and grouping codes and turns \\P into a line break', () => {
    expect(plainMText('{\\fSimSun|b0|i0|c134|p2;限高}\\P{\\H0.7x;24.5}m')).toBe('限高\n24.5m');
    expect(plainMText('\\A1;\\pxi-3,l3;建字第\\~12号')).toBe('建字第 12号');
  });

  it('keeps escaped braces and backslashes, and writes stacked fractions with a slash', () => {
    expect(plainMText('\\{a\\}\\\\b \\S1^2;')).toBe('{a}\\b 1/2');
  });

  it('decodes \\U+XXXX escapes in both kinds of text', () => {
    expect(plainMText('\\U+9650\\U+9AD8')).toBe('限高');
    expect(plainText('\\U+5EFA\\U+5B57 12')).toBe('建字 12');
  });

  it('resolves TEXT control codes', () => {
    expect(plainText('%%c20 %%d %%p0.1 %%uunderlined%%u 100%%%')).toBe('Ø20 ° ±0.1 underlined 100%');
  });
});
