/**
 * How `bench/run.js` reads the JSON lines the benches print: each numeric field whose name says
 * its unit (`tiles_per_s`, `mpxPerS`, `p50Ms`, `seconds`, `peak_rss_mib`, `recall`...) is a
 * figure, named by the bench, the fields that say which case the line is about, and the field.
 */

/** Fields that say which case a line is about, beside its string fields. */
const caseFields = new Set(['threads', 'batch', 'zoom', 'loops', 'scene_px']);
/** Fields that are not about the case nor figures. */
const ignoredFields = new Set(['bench', 'unit', 'better', 'seeds', 'px', 'model']);
/** A line about one sample (a scene, a run, a named tile) is summed up by a later line of the bench. */
const aboutOneSample = (line) => 'seed' in line || 'run' in line || typeof line.tile === 'string';

/** Unit and direction of a figure from its field name (snake_case or camelCase); null: not a figure. */
export function readField(field) {
  const words = field.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
  const perSecond = /^(.*?)_?per_?s(econd)?$/.exec(words);
  if (perSecond) return [`${countedThing(perSecond[1])}/s`, 'higher'];
  if (/(^|_)ms$|^ms_per_/.test(words)) return ['ms', 'lower'];
  if (/(^|_)(s|seconds)$/.test(words)) return ['s', 'lower'];
  if (/(^|_)mi_?b$/.test(words)) return ['MiB', 'lower'];
  if (/(^|_)bytes(_|$)/.test(words)) return ['bytes', 'lower'];
  if (/(^|_)(recall|precision|f1|iou|accuracy)$/.test(words)) return ['ratio', 'higher'];
  if (/(^|_)error_m$/.test(words)) return ['m', 'lower'];
  if (/(^|_)error$/.test(words)) return ['ratio', 'lower'];
  return null;
}

/** What a rate counts: the last word of `pipeline_tiles`, the last two of `events_appended`. */
function countedThing(words) {
  const parts = words.split('_');
  const thing = parts.at(-1).endsWith('ed') ? parts.slice(-2).join(' ') : parts.at(-1);
  return thing === 'mpx' ? 'Mpx' : thing;
}

/**
 * The figures of one JSON line bench `bench` printed, `{ bench, name, value, unit, better }`;
 * `readings` gives the unit and direction of fields whose name does not say them (ratios).
 * A line saying the bench skipped something passes as `{ bench, skipped }`.
 */
export function figuresOf(bench, line, readings = {}) {
  if (line.skipped) return [{ bench, skipped: line.skipped }];
  if (aboutOneSample(line)) return [];
  const about = Object.entries(line)
    .filter(([field, value]) => !ignoredFields.has(field) && (typeof value === 'string' || (caseFields.has(field) && typeof value === 'number')))
    .map(([field, value]) => `${field}=${value}`);
  const prefix = about.length > 0 ? `${bench}[${about.join(',')}]` : bench;
  const figures = [];
  const add = (name, value, reading) => {
    if (reading && typeof value === 'number' && Number.isFinite(value)) figures.push({ bench, name: `${prefix}.${name}`, value, unit: reading[0], better: reading[1] });
  };
  for (const [field, value] of Object.entries(line)) {
    const reading = readings[field] ?? readField(field);
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      // a breakdown (stages_ms, steps_s): each part in the unit of the whole
      for (const [part, partValue] of Object.entries(value)) add(`${field}.${part}`, partValue, reading);
    } else {
      add(field, value, reading);
    }
  }
  return figures;
}
