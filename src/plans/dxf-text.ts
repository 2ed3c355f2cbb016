/**
 * Plain text of DXF TEXT and MTEXT values: MTEXT formatting codes (\P, {\fSimSun|b0;...}, \H2.5x;)
 * removed, control codes (%%d, %%c) and \U+XXXX escapes turned into characters.
 */

const mtextCode =
  /\\U\+([0-9A-Fa-f]{4})|\\([\\{}])|\\P|\\~|\\S([^;]*);|\\[fFHWQTCcApb][^;]*;|\\[LlOoKkNX]|[{}]/g;

/** MTEXT value without its formatting: paragraphs become line breaks, stacked fractions "1/2". */
export function plainMText(raw: string): string {
  return raw.replace(mtextCode, (match, unicode?: string, escaped?: string, stacked?: string) => {
    if (unicode !== undefined) return String.fromCodePoint(parseInt(unicode, 16));
    if (escaped !== undefined) return escaped;
    if (stacked !== undefined) return stacked.replace(/[\^#]/g, '/');
    if (match === '\\P') return '\n';
    if (match === '\\~') return ' ';
    return '';
  });
}

const textControls: Record<string, string> = { c: 'Ø', d: '°', p: '±', '%': '%', u: '', o: '', k: '' };

/** TEXT value with %% control codes (%%d degree, %%c diameter, %%u underline...) and \U+XXXX resolved. */
export function plainText(raw: string): string {
  return raw
    .replace(/\\U\+([0-9A-Fa-f]{4})/g, (_, unicode: string) => String.fromCodePoint(parseInt(unicode, 16)))
    .replace(/%%(\d{3}|[cdpuok%])/gi, (match, code: string) =>
      /^\d+$/.test(code) ? String.fromCharCode(Number(code)) : (textControls[code.toLowerCase()] ?? match),
    );
}
