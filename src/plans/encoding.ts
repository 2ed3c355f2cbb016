/**
 * Text encodings of attribute and drawing files: code page names as .cpg files, DXF headers and
 * users write them (936, CP936, ANSI_936, GBK, UTF-8...) turned into TextDecoder labels.
 */

/** Windows code pages by number; 1250-1258 are windows-125x. */
const codePages: Record<string, string> = {
  '874': 'windows-874',
  '932': 'shift_jis',
  '936': 'gbk',
  '949': 'euc-kr',
  '950': 'big5',
  '54936': 'gb18030',
  '65001': 'utf-8',
};

/** TextDecoder label for a code page name, or null when Node cannot decode it. */
export function encodingForCodePage(name: string): string | null {
  const key = name.trim().toLowerCase();
  const number = /^(?:ansi|cp|ms|windows|dos)?[\s_-]*(\d+)$/.exec(key)?.[1];
  if (number !== undefined) {
    if (codePages[number]) return codePages[number];
    if (/^125\d$/.test(number)) return `windows-${number}`;
    return null;
  }
  try {
    return new TextDecoder(key === 'utf8' ? 'utf-8' : key).encoding;
  } catch {
    return null;
  }
}

/** True when the bytes are valid UTF-8 (pure ASCII included). */
export function isUtf8(bytes: Uint8Array): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}
