import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CaseEvent } from '../cases/events.js';
import type { CaseDossier, EvidenceFile } from '../cases/record.js';
import { DependencyMissingError } from '../errors.js';
import { sampleCaseRecords } from '../test-support/case-records.js';
import { requireTool } from '../test-support/tools.js';
import { renderBatchPdf, renderCasePdf } from './pdf.js';

let dir: string;
let dossiers: CaseDossier[];

async function chip(name: string, kind: string, format: 'jpeg' | 'png' | 'webp', color: [number, number, number]): Promise<EvidenceFile> {
  const bytes = await sharp({ create: { width: 64, height: 64, channels: 3, background: { r: color[0], g: color[1], b: color[2] } } })[format]().toBuffer();
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const path = join(dir, sha256);
  await writeFile(path, bytes);
  return { kind, name, sha256, mediaType: `image/${format}`, path };
}

function event(caseId: number, seq: number, kind: string, fields: Partial<CaseEvent> = {}): CaseEvent {
  return {
    id: caseId * 10 + seq, caseId, seq, kind, fromState: null, toState: 'detected', actor: 'zhiwei detect', at: new Date(`2024-10-0${seq}T08:00:00Z`),
    prevHash: seq === 1 ? null : `${seq - 1}`.repeat(64), hash: `${seq}`.repeat(64).replace(/^./, 'a'), ...fields,
  };
}

/** The text of the PDF, in reading order, or laid out as on the page (tables keep their rows). */
async function pdfText(stream: NodeJS.ReadableStream, name: string, layout = false): Promise<string> {
  const path = join(dir, name);
  await pipeline(stream, createWriteStream(path));
  return execFileSync('pdftotext', ['-enc', 'UTF-8', ...(layout ? ['-layout'] : []), path, '-'], { encoding: 'utf8' });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'zhiwei-pdf-'));
  const records = sampleCaseRecords();
  const altered = await chip('after.jpg', 'detection', 'jpeg', [9, 9, 9]);
  await writeFile(altered.path, 'changed after it was stored');
  dossiers = [
    {
      record: records[1],
      events: [event(2, 1, 'detected'), event(2, 2, 'triaged', { fromState: 'detected', toState: 'triaged', actor: '张三', note: '屋顶加建明显', lon: 120.0011, lat: 30.2707 })],
      evidence: [
        await chip('before.jpg', 'detection', 'jpeg', [40, 120, 40]),
        await chip('after.jpg', 'detection', 'jpeg', [200, 60, 60]),
        await chip('height-change.png', 'detection', 'png', [220, 30, 30]),
        await chip('event-2-photo-1.webp', 'photo', 'webp', [30, 30, 200]),
        await chip('event-2-photo-2.jpg', 'photo', 'jpeg', [200, 200, 30]),
      ],
    },
    { record: records[0], events: [event(1, 1, 'detected')], evidence: [altered, { ...altered, name: 'photo.jpg', kind: 'photo', path: join(dir, 'gone') }] },
  ];
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  delete process.env.ZHIWEI_CJK_FONT;
});

describe.runIf(requireTool('pdftotext'))('PDF dossiers', () => {
  it('renders a case dossier in Chinese with measurements, plan check, chips and the hashed event history', async () => {
    const text = await pdfText(renderCasePdf(dossiers[0]), 'case.pdf');
    expect(text).toContain('疑似违法建设案件 第 2 号');
    expect(text).toContain('违法类型');
    expect(text).toContain('超出许可高度');
    expect(text).toContain('规划核对：超出规划许可 P-2024,"A"的许可高度');
    expect(text).toContain('西湖-01');
    expect(text).toContain('历史街区');
    expect(text).toContain('384.0');
    expect(text).toContain('屋顶加建明显');
    expect(text).toContain(`哈希 ${'a'.padEnd(64, '2')}`);
    expect(text).toContain(`前一条 ${'1'.repeat(64)}`);
    expect(text).toContain('研判 已发现 → 已研判');
    expect(text).toContain(dossiers[0].evidence[2].sha256);
    const images = execFileSync('pdfimages', ['-list', join(dir, 'case.pdf')], { encoding: 'utf8' }).trim().split('\n').slice(2);
    // the three chips and the two field photos (the WebP one converted, as PDF has no WebP)
    expect(images).toHaveLength(5);
    expect(text).toContain('现场照片');
    expect(text).toContain('event-2-photo-1.webp');
  });

  it('renders a batch dossier with a cover page of counts and flags evidence that is missing or altered', async () => {
    const text = await pdfText(renderBatchPdf(dossiers), 'batch.pdf', true);
    expect(text).toContain('疑似违法建设案件汇总');
    expect(text).toMatch(/按违法类型[\s\S]*超出许可高度\s+1\s+384\.0/);
    expect(text).toMatch(/按网格[\s\S]*WG-01\s+1\s+100\.0/);
    expect(text).toContain('疑似违法建设案件 第 1 号');
    expect(text).toContain('after.jpg（检测）：哈希不符');
    expect(text).toContain('photo.jpg（现场照片）：文件缺失');
    // the case without a permit shows none as its own; no English word outside data values
    expect(text).not.toContain('建字第');
    const words = text.replace(/[0-9a-f]{64}/g, '').replace(/[\w-]+\.(jpg|png|webp)/g, '').replaceAll('main road', '').replaceAll('zhiwei detect', '');
    expect(words).not.toMatch(/[a-z]{2,}/);
    expect(execFileSync('pdfinfo', [join(dir, 'batch.pdf')], { encoding: 'utf8' })).toMatch(/Pages:\s+[3-9]/);
  });

  it('names the font package when the CJK font is missing', () => {
    process.env.ZHIWEI_CJK_FONT = join(dir, 'no-such-font.ttf');
    expect(() => renderCasePdf(dossiers[0])).toThrow(DependencyMissingError);
    delete process.env.ZHIWEI_CJK_FONT;
  });
});
