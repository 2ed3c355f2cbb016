import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The import direction of ARCHITECTURE.md: a folder imports only folders of a lower layer (and the
 * shared modules at the top of src/), so no two folders import each other in a loop and the pipeline
 * (layer 5) is imported by neither cases/, export/, synth/ nor tiles/. test-support/ and tests may
 * import anything.
 */
const layers: Record<string, number> = {
  '.': 0,
  geo: 1,
  raster: 2,
  model: 3, db: 3, eval: 3,
  plans: 4, cases: 4, webhooks: 4, synth: 4,
  export: 5, tiles: 5, pipeline: 5,
  queue: 6,
  server: 7,
  cli: 8,
};

const src = resolve('src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'test-support' || entry.name === 'testdata' ? [] : sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

/** The top folder of src/ a file lies in ('.' for the shared modules). */
function folderOf(path: string): string {
  const parts = relative(src, path).split(sep);
  return parts.length === 1 ? '.' : parts[0];
}

/** Every import between folders, type-only ones included, as "from -> to: file". */
function crossFolderImports(): { from: string; to: string; file: string }[] {
  return sourceFiles(src).flatMap((file) => {
    const text = readFileSync(file, 'utf8');
    return [...text.matchAll(/(?:import|export)[^'";]*?from\s+'(\.{1,2}\/[^']+)'/g)].map((m) => ({
      from: folderOf(file),
      to: folderOf(resolve(dirname(file), m[1])),
      file: relative(src, file),
    })).filter(({ from, to }) => from !== to);
  });
}

describe('the layout', () => {
  it('knows the layer of every folder of src/', () => {
    const folders = readdirSync(src, { withFileTypes: true }).filter((e) => e.isDirectory() && e.name !== 'test-support').map((e) => e.name);
    expect(folders.filter((name) => !(name in layers))).toEqual([]);
  });

  it('imports only downwards between folders, so no folders import each other in a loop', () => {
    const upwards = crossFolderImports().filter(({ from, to }) => layers[to] >= layers[from]).map(({ from, to, file }) => `${from} -> ${to} (${file})`);
    expect(upwards).toEqual([]);
  });
});
