import { describe, expect, it } from 'vitest';
import { encodingForCodePage } from './encoding.js';

describe('encodingForCodePage', () => {
  it('understands code pages as .cpg files and DXF headers write them', () => {
    for (const name of ['936', 'CP936', 'ANSI_936', 'ANSI 936', 'GBK', 'gb2312']) expect(encodingForCodePage(name)).toBe('gbk');
    expect(encodingForCodePage('GB18030')).toBe('gb18030');
    expect(encodingForCodePage('UTF-8')).toBe('utf-8');
    expect(encodingForCodePage('utf8')).toBe('utf-8');
    expect(encodingForCodePage('65001')).toBe('utf-8');
    expect(encodingForCodePage('ANSI_1252')).toBe('windows-1252');
  });

  it('returns null for a code page Node cannot decode', () => {
    expect(encodingForCodePage('ANSI_9999')).toBeNull();
    expect(encodingForCodePage('klingon')).toBeNull();
  });
});
