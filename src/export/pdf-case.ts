/**
 * One case's section of a PDF dossier: title, measurements, state, the plan check, the before,
 * after and height-change chips, the outline drawing, the field photos, the evidence files with
 * their SHA-256 (each checked against the file) and the event history with each event's hash.
 */
import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import { sha256Of } from '../cases/evidence-store.js';
import type { CaseDossier, CaseRecord, EvidenceFile } from '../cases/record.js';
import { caseColumns, cellText, isoSeconds } from './columns.js';
import { changeKindLabels, chineseLabel, stateLabels, violationLabels } from './labels.js';
import { drawOutline, type Box } from './pdf-outline.js';

/** Name under which the CJK font is registered in a document. */
export const cjk = 'cjk';

/** Page margin (points); pages are A4. */
export const margin = 50;

/** Width of the text column (A4 less the margins). */
export const textWidth = 595.28 - 2 * margin;

/** A file as read for the dossier: its bytes when present, and whether they still match its hash. */
interface ReadEvidence {
  file: EvidenceFile;
  bytes: Buffer | null;
  status: '一致' | '文件缺失' | '哈希不符';
}

/** The detection chips, in the order they are shown, with their captions. */
const chips = [
  ['before.jpg', '前期影像'],
  ['after.jpg', '后期影像（红线为疑似范围）'],
  ['height-change.png', '高度变化（红色升高，蓝色降低）'],
] as const;

/** Draws the section of one case, starting on the current page at the current position. */
export async function drawCaseSection(doc: PDFKit.PDFDocument, dossier: CaseDossier): Promise<void> {
  const { record } = dossier;
  const evidence = await Promise.all(dossier.evidence.map(readEvidence));
  const photos = await Promise.all(evidence.filter((e) => e.file.kind === 'photo' && e.bytes && e.status === '一致').map(printablePhoto));
  // a page the section runs onto says whose it is
  const continued = () => doc.font(cjk).fontSize(9).fillColor('#666666').text(`疑似违法建设案件 第 ${record.id} 号（续）`, margin, margin).moveDown(0.5);
  doc.on('pageAdded', continued);
  try {
    drawSection(doc, dossier, evidence, photos);
  } finally {
    doc.off('pageAdded', continued);
  }
}

function drawSection(doc: PDFKit.PDFDocument, dossier: CaseDossier, evidence: ReadEvidence[], photos: PrintablePhoto[]): void {
  const { record } = dossier;
  doc.fontSize(18).fillColor('#000000').text(`疑似违法建设案件 第 ${record.id} 号`, margin, doc.y);
  doc.fontSize(11).fillColor('#444444').text(`${violationLabels[record.violation]} · ${changeKindLabels[record.changeKind]} · 状态：${stateLabels[record.state]}`);
  doc.moveDown(0.6);
  drawMeasurements(doc, record);
  doc.fontSize(11).fillColor('#000000').text(`规划核对：${planCheck(record)}`, margin, doc.y, { width: textWidth });
  doc.moveDown(0.6);
  drawImages(doc, record, evidence);
  drawPhotos(doc, photos);
  drawEvidenceList(doc, evidence);
  drawEvents(doc, dossier);
}

/** Keys and values two pairs to a row, from the columns of the tabular exports. */
function drawMeasurements(doc: PDFKit.PDFDocument, record: CaseRecord): void {
  const pairs = caseColumns.map((column) => [column.chineseHeader, cellText(column, record, true) || '—']);
  const half = textWidth / 2;
  for (let i = 0; i < pairs.length; i += 2) {
    const y = doc.y;
    pairs.slice(i, i + 2).forEach(([key, value], j) => {
      doc.fontSize(9).fillColor('#666666').text(key, margin + j * half, y, { width: 80, lineBreak: false });
      doc.fillColor('#000000').text(value, margin + j * half + 80, y, { width: half - 85, lineBreak: false, ellipsis: true });
    });
    doc.x = margin;
    doc.y = y + 15;
  }
  doc.moveDown(0.4);
}

/** What the overlay against the approved plans found, in words. */
function planCheck(record: CaseRecord): string {
  const permit = record.permitNo ? `规划许可 ${record.permitNo}` : '';
  switch (record.violation) {
    case 'no_permit': return '该位置无有效规划许可';
    case 'outside_permitted_footprint': return `超出${permit || '规划许可'}的许可用地范围`;
    case 'exceeds_permitted_height': return `超出${permit || '规划许可'}的许可高度`;
    case 'permit_expired': return `${permit || '规划许可'}已过有效期`;
    case 'none': return permit ? `符合${permit}` : '未发现违反规划';
  }
}

/** Before and after side by side, then the height change and the outline drawing. */
function drawImages(doc: PDFKit.PDFDocument, record: CaseRecord, evidence: ReadEvidence[]): void {
  const cell = { width: (textWidth - 15) / 2, height: 150 };
  if (doc.y + 2 * (cell.height + 20) > doc.page.height - margin) doc.addPage();
  const top = doc.y;
  const boxes: Box[] = [0, 1, 2, 3].map((i) => ({ x: margin + (i % 2) * (cell.width + 15), y: top + Math.floor(i / 2) * (cell.height + 20), ...cell }));
  chips.forEach(([name, caption], i) => {
    // the newest detection chip of that name (a later flight adds its own)
    const chip = evidence.filter((e) => e.file.kind === 'detection' && e.file.name === name).at(-1);
    const box = boxes[i];
    if (chip?.bytes && chip.status === '一致') doc.image(chip.bytes, box.x, box.y, { fit: [box.width, box.height], align: 'center', valign: 'center' });
    else doc.rect(box.x, box.y, box.width, box.height).lineWidth(0.5).strokeColor('#999999').stroke().fontSize(9).fillColor('#999999').text(chip ? chip.status : '无影像', box.x, box.y + box.height / 2 - 5, { width: box.width, align: 'center' });
    doc.fontSize(9).fillColor('#000000').text(caption, box.x, box.y + box.height + 3, { width: box.width, align: 'center', lineBreak: false });
  });
  drawOutline(doc, record, boxes[3]);
  doc.fontSize(9).fillColor('#000000').text(`轮廓图（EPSG:${record.projectOutline.epsg}）`, boxes[3].x, boxes[3].y + cell.height + 3, { width: cell.width, align: 'center', lineBreak: false });
  doc.x = margin;
  doc.y = top + 2 * (cell.height + 20) + 6;
}

/** A field photo as the PDF embeds it: upright (its EXIF orientation applied), at most 1200 px, JPEG (PDF has no WebP). */
interface PrintablePhoto {
  name: string;
  jpeg: Buffer;
}

async function printablePhoto({ file, bytes }: ReadEvidence): Promise<PrintablePhoto> {
  const jpeg = await sharp(bytes as Buffer).rotate().resize(1200, 1200, { fit: 'inside', withoutEnlargement: true }).jpeg({ quality: 80 }).toBuffer();
  return { name: file.name, jpeg };
}

/** The officers' photos whose files are intact, two to a row, each with its file name. */
function drawPhotos(doc: PDFKit.PDFDocument, photos: PrintablePhoto[]): void {
  if (photos.length === 0) return;
  const cell = { width: (textWidth - 15) / 2, height: 180 };
  // the heading goes where its first row of photos fits
  ensureSpace(doc, cell.height + 50);
  heading(doc, '现场照片');
  for (let i = 0; i < photos.length; i += 2) {
    ensureSpace(doc, cell.height + 20);
    const top = doc.y;
    photos.slice(i, i + 2).forEach(({ name, jpeg }, j) => {
      const x = margin + j * (cell.width + 15);
      doc.image(jpeg, x, top, { fit: [cell.width, cell.height], align: 'center', valign: 'center' });
      doc.fontSize(9).fillColor('#000000').text(name, x, top + cell.height + 3, { width: cell.width, align: 'center', lineBreak: false });
    });
    doc.x = margin;
    doc.y = top + cell.height + 20;
  }
  doc.moveDown(0.4);
}

function drawEvidenceList(doc: PDFKit.PDFDocument, evidence: ReadEvidence[]): void {
  heading(doc, '证据文件（SHA-256）');
  if (evidence.length === 0) doc.fontSize(9).text('无');
  for (const { file, status } of evidence) {
    ensureSpace(doc, 24);
    doc.font(cjk).fontSize(9).fillColor(status === '一致' ? '#000000' : '#cc0000').text(`${file.name}（${chineseLabel(`evidence_kind.${file.kind}`)}）：${status}`, margin, doc.y);
    // a little air, so that the hash does not touch the label's descenders
    doc.font('Courier').fontSize(7).fillColor('#444444').text(file.sha256, margin + 12, doc.y + 2).font(cjk);
    doc.moveDown(0.2);
  }
  doc.moveDown(0.6);
}

/** Every event in order, each with its hash and the hash it chains to. */
function drawEvents(doc: PDFKit.PDFDocument, { events }: CaseDossier): void {
  heading(doc, '案件记录（时间为 UTC，每条记录以哈希链接上一条）');
  for (const event of events) {
    ensureSpace(doc, 44);
    const move = event.toState && event.toState !== event.fromState ? `${event.fromState ? stateLabels[event.fromState] : '—'} → ${stateLabels[event.toState]}` : '';
    const place = event.lon != null && event.lat != null ? ` · 位置 ${event.lon.toFixed(6)}, ${event.lat.toFixed(6)}` : '';
    doc.fontSize(9).fillColor('#000000').text(`${event.seq}. ${isoSeconds(event.at)}  ${chineseLabel(`case_event.${event.kind}`)}  ${move}  · ${event.actor}${place}`, margin, doc.y, { width: textWidth });
    if (event.note) doc.fillColor('#444444').text(event.note, margin + 12, doc.y, { width: textWidth - 12 });
    doc.fontSize(7).fillColor('#444444').text(`哈希 ${event.hash}`, margin + 12, doc.y + 2).text(`前一条 ${event.prevHash ?? '（首条）'}`);
    doc.x = margin;
    doc.moveDown(0.3);
  }
}

/** A section heading, on a new page unless there is room for it and a first entry below. */
function heading(doc: PDFKit.PDFDocument, text: string): void {
  ensureSpace(doc, 90);
  doc.font(cjk).fontSize(12).fillColor('#000000').text(text, margin, doc.y);
  doc.moveDown(0.3);
}

function ensureSpace(doc: PDFKit.PDFDocument, points: number): void {
  if (doc.y + points > doc.page.height - margin) doc.addPage();
}

async function readEvidence(file: EvidenceFile): Promise<ReadEvidence> {
  const bytes = await readFile(file.path).catch(() => null);
  if (!bytes) return { file, bytes, status: '文件缺失' };
  return { file, bytes, status: sha256Of(bytes) === file.sha256 ? '一致' : '哈希不符' };
}
