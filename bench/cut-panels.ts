/**
 * Cuts "before | after | truth" panel figures (one PNG per pair, three images side by side on a
 * white page with titles above and notes below, as the FOTBCD repository's visualizations/ hold)
 * into a LEVIR-CD layout folder: OUT/A (before), OUT/B (after), OUT/label (0/255), same names.
 * The panels are found from the image: the rows are the longest run in which at least a third of
 * the page is not white, the panels the runs of columns with any non-white pixel in those rows.
 *
 *   npx tsx bench/cut-panels.ts PANELS_DIR OUT_DIR
 */
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';

interface Page { data: Uint8Array; width: number; height: number }
interface Box { left: number; top: number; width: number; height: number }

const [panelsDir, outDir] = process.argv.slice(2);
if (!panelsDir || !outDir) throw new Error('usage: npx tsx bench/cut-panels.ts PANELS_DIR OUT_DIR');
for (const part of ['A', 'B', 'label']) await mkdir(join(outDir, part), { recursive: true });
const names = (await readdir(panelsDir)).filter((name) => name.toLowerCase().endsWith('.png')).sort();
for (const name of names) {
  const file = join(panelsDir, name);
  const { data, info } = await sharp(file).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  const boxes = panelBoxes({ data, width: info.width, height: info.height }, name);
  const [before, after, truth] = boxes.map((box) => sharp(file).removeAlpha().extract(box));
  await before.png().toFile(join(outDir, 'A', name));
  await after.png().toFile(join(outDir, 'B', name));
  // The figure's truth is resampled (grey at the edges): binarized at half.
  await truth.threshold(128).toColourspace('b-w').png().toFile(join(outDir, 'label', name));
  process.stdout.write(`${JSON.stringify({ name, panel_px: [boxes[0].width, boxes[0].height], left_px: boxes.map((box) => box.left), top_px: boxes[0].top })}\n`);
}

/** The three panel boxes, left to right; throws unless there are three of one size. */
function panelBoxes(page: Page, name: string): Box[] {
  const rowShare = Array.from({ length: page.height }, (_, y) => countNonWhite(page, 0, page.width, y, y + 1) / page.width);
  const rows = longest(runs(rowShare.map((share) => share > 1 / 3)));
  if (!rows) throw new Error(`${name}: no rows of panels found`);
  const columns = runs(Array.from({ length: page.width }, (_, x) => countNonWhite(page, x, x + 1, rows[0], rows[1]) > 0));
  const boxes = columns.map(([left, right]) => ({ left, top: rows[0], width: right - left, height: rows[1] - rows[0] }));
  // A truth panel whose first or last column is all change would look narrower: refuse rather than guess.
  if (boxes.length !== 3 || boxes.some((box) => box.width !== boxes[0].width)) {
    throw new Error(`${name}: expected 3 panels of one width, found widths ${boxes.map((box) => box.width).join(', ')}`);
  }
  return boxes;
}

/** Pixels in [x0, x1) x [y0, y1) with any channel below 250 (the page is white). */
function countNonWhite(page: Page, x0: number, x1: number, y0: number, y1: number): number {
  let count = 0;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const i = (y * page.width + x) * 3;
      if (page.data[i] < 250 || page.data[i + 1] < 250 || page.data[i + 2] < 250) count++;
    }
  }
  return count;
}

/** [start, end) of each run of true values. */
function runs(flags: boolean[]): [number, number][] {
  const found: [number, number][] = [];
  let start = -1;
  flags.forEach((flag, i) => {
    if (flag && start < 0) start = i;
    if (!flag && start >= 0) found.push([start, i]), (start = -1);
  });
  if (start >= 0) found.push([start, flags.length]);
  return found;
}

/** The longest run, or undefined if there is none. */
function longest(found: [number, number][]): [number, number] | undefined {
  return found.reduce<[number, number] | undefined>((best, run) => (!best || run[1] - run[0] > best[1] - best[0] ? run : best), undefined);
}
