import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync, strFromU8 } from 'fflate';
import { describe, expect, it } from 'vitest';
import { sampleCaseRecords } from '../test-support/case-records.js';
import { requireTool } from '../test-support/tools.js';
import { renderKml, renderKmz } from './kml.js';

/** Throws unless every element closes in order; returns the names of the elements opened. */
function checkWellFormed(xml: string): string[] {
  const stack: string[] = [];
  const opened: string[] = [];
  for (const [tag, close, name, selfClosing] of xml.replace(/<\?xml[^>]*\?>/, '').matchAll(/<(\/?)([A-Za-z][\w:.-]*)[^>]*?(\/?)>/g)) {
    if (close) {
      if (stack.pop() !== name) throw new Error(`${tag} closes ${stack.at(-1)}`);
    } else if (!selfClosing) {
      stack.push(name);
      opened.push(name);
    }
  }
  if (stack.length > 0) throw new Error(`unclosed ${stack.join(', ')}`);
  if (/&(?!(amp|lt|gt|quot|apos);)/.test(xml)) throw new Error('an unescaped &');
  return opened;
}

describe('KML export', () => {
  it('writes well-formed KML 2.2 with one styled Placemark per case and WGS84 rings', () => {
    const kml = renderKml(sampleCaseRecords());
    expect(kml).toContain('<kml xmlns="http://www.opengis.net/kml/2.2">');
    const elements = checkWellFormed(kml);
    expect(elements.filter((e) => e === 'Placemark')).toHaveLength(3);
    expect(elements.filter((e) => e === 'innerBoundaryIs')).toHaveLength(1);
    expect(kml).toContain('<styleUrl>#exceeds_permitted_height</styleUrl>');
    const rings = [...kml.matchAll(/<coordinates>([^<]*)<\/coordinates>/g)].map(([, text]) => text.split(' ').map((p) => p.split(',').map(Number)));
    expect(rings).toHaveLength(4);
    for (const ring of rings) {
      expect(ring.at(-1)).toEqual(ring[0]);
      for (const [lon, lat] of ring) expect([Math.round(lon), Math.round(lat)]).toEqual([120, 30]);
    }
  });

  it('escapes the description table and names cases in Chinese on request', () => {
    const kml = renderKml(sampleCaseRecords(), { chineseHeaders: true });
    expect(kml).toContain('<name>案件 2：超出许可高度</name>');
    expect(kml).toContain('&lt;th&gt;许可证号&lt;/th&gt;&lt;td&gt;P-2024,&amp;quot;A&amp;quot;&lt;/td&gt;');
    // numbers rounded for people; the case without a permit shows none as its own
    expect(kml).toContain('&lt;th&gt;面积(m²)&lt;/th&gt;&lt;td&gt;61.54&lt;/td&gt;');
    expect(kml).toContain(`&lt;th&gt;经度&lt;/th&gt;&lt;td&gt;${(120 + 5 / 96190).toFixed(6)}&lt;/td&gt;`);
    expect(kml).not.toContain('建字第');
    const labels = [...kml.matchAll(/&lt;th&gt;(.*?)&lt;\/th&gt;|<name>(.*?)<\/name>/g)].map((m) => m[1] ?? m[2]);
    expect(labels.join(' ')).not.toMatch(/[a-z]{2,}/);
  });

  it('zips the document as doc.kml in a KMZ', () => {
    const files = unzipSync(renderKmz(sampleCaseRecords()));
    expect(Object.keys(files)).toEqual(['doc.kml']);
    expect(strFromU8(files['doc.kml'])).toBe(renderKml(sampleCaseRecords()));
  });

  it.runIf(requireTool('ogrinfo'))('is read by GDAL with every case', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'zhiwei-kml-'));
    try {
      const path = join(dir, 'cases.kml');
      await writeFile(path, renderKml(sampleCaseRecords()));
      expect(execFileSync('ogrinfo', ['-so', '-al', path], { encoding: 'utf8' })).toContain('Feature Count: 3');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
