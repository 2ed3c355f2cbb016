/**
 * The small outline drawing of a PDF dossier: a case's outline in the project CRS (metres, so the
 * shape is true), fitted into a box, with a scale bar and a north arrow.
 */
import type { CaseRecord } from '../cases/record.js';

/** A rectangle on the page (points). */
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Draws the outline of `record` inside `box`. */
export function drawOutline(doc: PDFKit.PDFDocument, record: CaseRecord, box: Box): void {
  const rings = record.projectOutline.coordinates.flat();
  const xs = rings.flat().map(([x]) => x);
  const ys = rings.flat().map(([, y]) => y);
  const [minX, maxX, minY, maxY] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const pad = 16;
  const scale = Math.min((box.width - 2 * pad) / Math.max(maxX - minX, 1e-6), (box.height - 2 * pad - 14) / Math.max(maxY - minY, 1e-6));
  // centred in the box, map north up (page y grows downwards)
  const left = box.x + (box.width - (maxX - minX) * scale) / 2;
  const top = box.y + (box.height - 14 - (maxY - minY) * scale) / 2;
  const toPage = ([x, y]: [number, number]): [number, number] => [left + (x - minX) * scale, top + (maxY - y) * scale];

  doc.save().rect(box.x, box.y, box.width, box.height).lineWidth(0.5).strokeColor('#999999').stroke();
  for (const polygon of record.projectOutline.coordinates) {
    for (const ring of polygon) {
      ring.forEach((point, i) => (i === 0 ? doc.moveTo(...toPage(point)) : doc.lineTo(...toPage(point))));
      doc.closePath();
    }
    doc.lineWidth(1.2).fillOpacity(0.25).fillAndStroke('#ff0000', '#cc0000', 'even-odd');
  }
  drawScaleBar(doc, scale, box.x + 8, box.y + box.height - 10);
  drawNorthArrow(doc, box.x + box.width - 14, box.y + 8);
  doc.restore();
}

/** A bar of a round length (1, 2 or 5 × 10ⁿ m) about a quarter of the box wide. */
function drawScaleBar(doc: PDFKit.PDFDocument, pointsPerMetre: number, x: number, y: number): void {
  const target = 60 / pointsPerMetre;
  const power = 10 ** Math.floor(Math.log10(target));
  const metres = [5, 2, 1].map((f) => f * power).find((m) => m <= target) ?? power;
  const length = metres * pointsPerMetre;
  doc.fillOpacity(1).lineWidth(1).strokeColor('#000000').moveTo(x, y).lineTo(x + length, y).moveTo(x, y - 3).lineTo(x, y).moveTo(x + length, y - 3).lineTo(x + length, y).stroke();
  doc.fillColor('#000000').fontSize(7).text(`${metres} m`, x + length + 4, y - 5, { lineBreak: false });
}

function drawNorthArrow(doc: PDFKit.PDFDocument, x: number, y: number): void {
  doc.fillOpacity(1).fillColor('#000000').polygon([x, y], [x - 4, y + 10], [x + 4, y + 10]).fill();
  doc.fontSize(7).text('N', x - 2.5, y + 11, { lineBreak: false });
}
