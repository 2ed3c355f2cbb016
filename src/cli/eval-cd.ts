/**
 * `zhiwei eval-cd DIR`: pixel-level change-detection scores of a model on a LEVIR-CD / WHU-CD /
 * DSIFN style folder (`A/`, `B/`, `label/`, PNG or TIFF, 0/255 labels), printed as one JSON line
 * (with `--per-tile`, after one line per pair). Pairs without a label are skipped with a warning.
 * Where DIR also has the `kind/` masks that `zhiwei synth --chips` writes, recall by change kind too.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import type { Command } from 'commander';
import sharp from 'sharp';
import { BadInputError } from '../errors.js';
import { addClassRecall, addPixelCounts, emptyCounts, pixelScores, type ClassRecallCounts } from '../eval/pixels.js';
import { loadChangeModel } from '../model/onnx-change-model.js';
import type { ChangeModel } from '../model/types.js';
import { predictImage } from '../model/sliding-window.js';
import { CHANGE_KINDS } from '../vocabulary.js';
import { writeImage } from '../raster/image-file.js';
import { changeKindCode } from '../synth/chips.js';
import { parseNumber, parsePositiveInteger } from './options.js';
import { startStage } from './progress.js';

const imageSuffix = /\.(png|tiff?|jpe?g)$/i;

/** Registers `zhiwei eval-cd`. */
export function registerEvalCd(program: Command): void {
  program
    .command('eval-cd <dir>')
    .description('pixel-level precision, recall, F1 and IoU of the change model on A/, B/, label/ image pairs')
    .option('--model <name>', 'model name in models/ or path to an .onnx with its .json beside it', 'zhiwei-cd-v1')
    .option('--threshold <p>', 'change probability threshold (default: the manifest’s)', parseNumber)
    .option('--threads <n>', 'onnxruntime threads', parsePositiveInteger)
    .option('--save-pred <dir>', 'write predicted masks (0/255 PNG, same names) here')
    .option('--per-tile', 'print one JSON line per pair before the folder line')
    .option('--gsd <m>', 'ground sample distance of the images in metres: pairs are resampled to the model’s GSD for inference, the prediction back to the label’s size', parseNumber)
    .action(async (dir: string, options: { model: string; threshold?: number; threads?: number; savePred?: string; perTile?: boolean; gsd?: number }) => {
      if (options.gsd !== undefined && !(options.gsd > 0)) throw new BadInputError(`--gsd must be a positive number of metres, got ${options.gsd}`);
      const names = await labelledNames(dir);
      const model = await loadChangeModel(options.model, { threads: options.threads });
      const threshold = options.threshold ?? model.manifest.threshold;
      if (options.savePred) await mkdir(options.savePred, { recursive: true });
      const counts = emptyCounts();
      const byKind: ClassRecallCounts | null = existsSync(join(dir, 'kind')) ? new Map() : null;
      const progress = startStage('eval-cd', names.length, 'images');
      const started = performance.now();
      let pixels = 0;
      try {
        for (const name of names) {
          const [before, after, label] = await Promise.all([
            readPixels(join(dir, 'A', name), 3),
            readPixels(join(dir, 'B', name), 3),
            readPixels(join(dir, 'label', name), 1),
          ]);
          if (before.width !== after.width || before.height !== after.height || label.width !== before.width || label.height !== before.height) {
            throw new BadInputError(`${name}: A/, B/ and label/ images differ in size`);
          }
          const probability = options.gsd === undefined
            ? await predictImage(model, before.data, after.data, before.width, before.height)
            : await predictAtModelGsd(model, before, after, options.gsd);
          const predicted = Uint8Array.from(probability, (p) => (p >= threshold ? 255 : 0));
          addPixelCounts(counts, predicted, label.data);
          if (options.perTile) process.stdout.write(`${JSON.stringify(tileReport(name, predicted, label.data))}\n`);
          if (byKind) addClassRecall(byKind, predicted, (await readPixels(join(dir, 'kind', name), 1)).data);
          pixels += predicted.length;
          if (options.savePred) {
            const out = join(options.savePred, `${basename(name, extname(name))}.png`);
            await writeImage(out, { width: before.width, height: before.height, bandCount: 1, data: predicted });
          }
          progress.tick();
        }
      } finally {
        progress.done();
        await model.close();
      }
      const seconds = (performance.now() - started) / 1000;
      const report = {
        dir,
        model: model.manifest.name,
        threshold,
        ...(options.gsd !== undefined && { gsd_m: options.gsd, model_gsd_m: model.manifest.gsd_m }),
        images: names.length,
        ...pixelScores(counts),
        ...(byKind && { recall_by_change_kind: recallByKind(byKind) }),
        mpx_per_s: pixels / 1e6 / seconds,
      };
      process.stdout.write(`${JSON.stringify(report)}\n`);
    });
}

/** Recall of each change kind present, keyed by name in CHANGE_KINDS order (codes as `zhiwei synth --chips` writes them). */
function recallByKind(counts: ClassRecallCounts): Record<string, number> {
  const unknown = [...counts.keys()].find((code) => code > CHANGE_KINDS.length);
  if (unknown !== undefined) throw new BadInputError(`kind/ holds the value ${unknown}; change kinds are 1-${CHANGE_KINDS.length} (${CHANGE_KINDS.join(', ')})`);
  const recall: Record<string, number> = {};
  for (const kind of CHANGE_KINDS) {
    const entry = counts.get(changeKindCode(kind));
    if (entry) recall[kind] = entry.found / entry.pixels;
  }
  return recall;
}

/** Scores of one pair, with the changed pixels of its label and prediction. */
function tileReport(name: string, predicted: Uint8Array, label: Uint8Array) {
  const counts = emptyCounts();
  addPixelCounts(counts, predicted, label);
  const { truePositive: tp, falsePositive: fp, falseNegative: fn } = counts;
  return { name, ...pixelScores(counts), label_changed_px: tp + fn, predicted_changed_px: tp + fp };
}

/** Change probability at the pair's size, the model run on the pair resampled from `gsd` to the model's GSD. */
async function predictAtModelGsd(model: ChangeModel, before: Pixels, after: Pixels, gsd: number): Promise<Float32Array> {
  const scale = gsd / model.manifest.gsd_m;
  const width = Math.round(before.width * scale);
  const height = Math.round(before.height * scale);
  const resize = async (image: Pixels) =>
    new Uint8Array(await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } }).resize(width, height, { fit: 'fill' }).raw().toBuffer());
  const probability = await predictImage(model, await resize(before), await resize(after), width, height);
  // sharp resizes 8-bit bands; 1/255 of probability is far finer than the threshold needs.
  const bytes = Uint8Array.from(probability, (p) => Math.round(p * 255));
  const back = await sharp(bytes, { raw: { width, height, channels: 1 } }).resize(before.width, before.height, { fit: 'fill' }).toColourspace('b-w').raw().toBuffer();
  return Float32Array.from(back, (v) => v / 255);
}

/**
 * Names of the pairs in A/ and B/ that have a label in label/; a pair without one is skipped with
 * a warning, a name missing from A/ or B/ (or a label without its pair) is an error.
 */
async function labelledNames(dir: string): Promise<string[]> {
  const listing = async (part: string) => {
    try {
      return (await readdir(join(dir, part))).filter((name) => imageSuffix.test(name)).sort();
    } catch {
      throw new BadInputError(`${dir}: no ${part}/ folder`, 'expected the LEVIR-CD layout: A/ (before), B/ (after), label/ (0/255 masks)');
    }
  };
  const [a, b, label] = await Promise.all([listing('A'), listing('B'), listing('label')]);
  const unpaired = [...a.filter((name) => !b.includes(name)), ...b.filter((name) => !a.includes(name)), ...label.filter((name) => !a.includes(name))];
  if (unpaired.length > 0) throw new BadInputError(`${dir}: A/ and B/ do not hold the same image names, or label/ holds one they lack (e.g. ${unpaired[0]})`);
  if (a.length === 0) throw new BadInputError(`${dir}: A/ holds no PNG, TIFF or JPEG images`);
  const labelled = a.filter((name) => label.includes(name));
  for (const name of a) if (!label.includes(name)) process.stderr.write(`eval-cd: ${name} has no label in label/; skipped\n`);
  if (labelled.length === 0) throw new BadInputError(`${dir}: no pair in A/ and B/ has a label in label/`);
  return labelled;
}

/** Interleaved uint8 pixels of an image. */
interface Pixels { data: Uint8Array; width: number; height: number }

/** Pixels of an image file as 3-band RGB or 1-band grey uint8. */
async function readPixels(path: string, bands: 1 | 3): Promise<Pixels> {
  try {
    const image = sharp(path).removeAlpha();
    const converted = bands === 1 ? image.toColourspace('b-w') : image.toColourspace('srgb');
    const { data, info } = await converted.raw().toBuffer({ resolveWithObject: true });
    return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height };
  } catch (err) {
    throw new BadInputError(`${path}: not a readable image (${(err as Error).message})`);
  }
}
