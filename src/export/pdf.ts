/**
 * PDF dossiers (pdfkit, Noto Sans CJK): one for a case, and one for a batch of cases with a cover
 * page of counts by violation and by grid, then a section per case. Streamed as drawn, so a large
 * batch never sits whole in memory.
 */
import PDFDocument from 'pdfkit';
import type { CaseDossier } from '../cases/record.js';
import { isoSeconds } from './columns.js';
import { violationLabels } from './labels.js';
import { cjk, drawCaseSection, margin, textWidth } from './pdf-case.js';
import { cjkFont } from './pdf-font.js';

/** The dossier of one case as a PDF stream. */
export function renderCasePdf(dossier: CaseDossier): PDFKit.PDFDocument {
  return render(`案件 ${dossier.record.id} 档案`, (doc) => drawCaseSection(doc, dossier));
}

/** The dossier of a batch of cases as a PDF stream: a cover page, then one section per case. */
export function renderBatchPdf(dossiers: CaseDossier[]): PDFKit.PDFDocument {
  return render('疑似违法建设案件汇总', async (doc) => {
    drawCover(doc, dossiers);
    for (const dossier of dossiers) {
      doc.addPage();
      await drawCaseSection(doc, dossier);
    }
  });
}

/** A document with the CJK font, drawn by `draw` and then ended; a failure ends the stream with that error. */
function render(title: string, draw: (doc: PDFKit.PDFDocument) => Promise<void> | void): PDFKit.PDFDocument {
  const font = cjkFont();
  const doc = new PDFDocument({ size: 'A4', margin, info: { Title: title, Creator: 'zhiwei' } });
  doc.registerFont(cjk, font.path, font.family);
  doc.font(cjk);
  Promise.resolve()
    .then(() => draw(doc))
    .then(() => doc.end(), (err: Error) => doc.destroy(err));
  return doc;
}

function drawCover(doc: PDFKit.PDFDocument, dossiers: CaseDossier[]): void {
  doc.fontSize(24).text('疑似违法建设案件汇总', margin, 140, { width: textWidth, align: 'center' });
  doc.fontSize(11).fillColor('#444444').text(`生成时间 ${isoSeconds(new Date())}（UTC） · 案件 ${dossiers.length} 件`, { width: textWidth, align: 'center' });
  doc.moveDown(2);
  const byViolation = countBy(dossiers, (d) => violationLabels[d.record.violation]);
  const byGrid = countBy(dossiers, (d) => d.record.gridId ?? '（无网格）');
  drawCountTable(doc, '按违法类型', byViolation);
  drawCountTable(doc, '按网格', byGrid);
}

/** Number of cases and their area (m²) per key, largest count first. */
function countBy(dossiers: CaseDossier[], key: (d: CaseDossier) => string): [string, number, number][] {
  const counts = new Map<string, [number, number]>();
  for (const dossier of dossiers) {
    const [n, area] = counts.get(key(dossier)) ?? [0, 0];
    counts.set(key(dossier), [n + 1, area + dossier.record.areaM2]);
  }
  return [...counts].map(([k, [n, area]]): [string, number, number] => [k, n, area]).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

function drawCountTable(doc: PDFKit.PDFDocument, title: string, rows: [string, number, number][]): void {
  const columns = [margin + 60, margin + 280, margin + 360];
  doc.fontSize(13).fillColor('#000000').text(title, columns[0], doc.y);
  doc.moveDown(0.3);
  for (const [i, row] of [['', '案件数', '面积(m²)'], ...rows.map(([k, n, area]) => [k, String(n), area.toFixed(1)])].entries()) {
    if (doc.y + 16 > doc.page.height - margin) doc.addPage();
    const y = doc.y;
    doc.fontSize(10).fillColor(i === 0 ? '#666666' : '#000000');
    row.forEach((text, j) => doc.text(text, columns[j], y, { width: j === 0 ? 210 : 70, align: j === 0 ? 'left' : 'right', lineBreak: false }));
    doc.y = y + 15;
  }
  doc.x = margin;
  doc.moveDown(1);
}
