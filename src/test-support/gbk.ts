/**
 * GBK encoding for tests (TextEncoder only writes UTF-8): a reverse table built by decoding every
 * GBK double-byte code with Node's TextDecoder.
 */

let table: Map<string, [number, number]> | null = null;

function gbkTable(): Map<string, [number, number]> {
  if (table) return table;
  table = new Map();
  const decoder = new TextDecoder('gbk', { fatal: true });
  for (let lead = 0x81; lead <= 0xfe; lead++) {
    for (let trail = 0x40; trail <= 0xfe; trail++) {
      if (trail === 0x7f) continue;
      try {
        const char = decoder.decode(Uint8Array.of(lead, trail));
        if (!table.has(char)) table.set(char, [lead, trail]);
      } catch {
        // unassigned code
      }
    }
  }
  return table;
}

/** Text encoded as GBK bytes; throws on characters GBK lacks. */
export function encodeGbk(text: string): Uint8Array {
  const bytes: number[] = [];
  for (const char of text) {
    const code = char.codePointAt(0) as number;
    if (code < 0x80) {
      bytes.push(code);
      continue;
    }
    const pair = gbkTable().get(char);
    if (!pair) throw new Error(`"${char}" has no GBK encoding`);
    bytes.push(...pair);
  }
  return Uint8Array.from(bytes);
}
