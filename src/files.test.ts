import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BadInputError, ConflictError } from './errors.js';
import { freshFolder, writeAtomically } from './files.js';

describe('writeAtomically', () => {
  it('puts a file in place only once it is complete', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'zhiwei-files-'));
    const path = join(dir, 'list.csv');
    await writeAtomically(path, async (partial) => {
      await writeFile(partial, 'id\n1\n');
      expect(await readdir(dir)).not.toContain('list.csv');
    });
    expect(await readFile(path, 'utf8')).toBe('id\n1\n');
    expect(await readdir(dir)).toEqual(['list.csv']);
  });

  it('leaves nothing behind, file or folder, when writing fails', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'zhiwei-files-'));
    await expect(writeAtomically(join(dir, 'pyramid'), async (partial) => {
      await mkdir(join(partial, 'level-2'), { recursive: true });
      throw new Error('disk full');
    })).rejects.toThrow('disk full');
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('freshFolder', () => {
  const detectOutput = { markers: ['summary.json'], what: 'an earlier detect output' };

  it('refuses a file, a folder of other files, and a folder inside a file, naming the path', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'zhiwei-files-'));
    await writeFile(join(dir, 'notes.txt'), 'keep me');
    await mkdir(join(dir, 'photos'));
    await writeFile(join(dir, 'photos', 'a.jpg'), 'jpeg');
    const refusal = (path: string) => freshFolder(path, detectOutput).then(() => null, (err: Error) => err);
    const file = await refusal(join(dir, 'notes.txt'));
    expect([file?.constructor, file?.message]).toEqual([ConflictError, `${join(dir, 'notes.txt')} exists and is not a folder`]);
    const foreign = await refusal(join(dir, 'photos'));
    expect([foreign?.constructor, foreign?.message]).toEqual([ConflictError, `${join(dir, 'photos')} is not empty and does not hold an earlier detect output; it would be replaced`]);
    const inFile = await refusal(join(dir, 'notes.txt', 'sub', 'out'));
    expect([inFile?.constructor, inFile?.message]).toEqual([BadInputError, `${join(dir, 'notes.txt')} is a file, so ${join(dir, 'notes.txt', 'sub', 'out')} cannot be made in it`]);
    expect((await readdir(dir)).sort()).toEqual(['notes.txt', 'photos']);
    expect(await readdir(join(dir, 'photos'))).toEqual(['a.jpg']);
  });

  it.skipIf(process.getuid?.() === 0)('refuses an output folder in a folder it cannot write to', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'zhiwei-files-'));
    const locked = join(dir, 'locked');
    await mkdir(locked, { mode: 0o555 });
    await expect(freshFolder(join(locked, 'out'), detectOutput)).rejects.toThrow(`${locked} is not writable, so ${join(locked, 'out')} cannot be written`);
    expect(await readdir(locked)).toEqual([]);
  });

  it('removes the fresh folder of a dead process, keeps a live one, and puts back an earlier output a kill left moved aside', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'zhiwei-files-'));
    const out = join(dir, 'out');
    const dead = spawnSync(process.execPath, ['-e', '']).pid as number;
    await mkdir(`${out}.partial-${dead}`);
    await mkdir(`${out}.partial-${process.ppid}`);
    await mkdir(`${out}.previous-${dead}`);
    await writeFile(join(`${out}.previous-${dead}`, 'summary.json'), '{"run":1}');
    const fresh = await freshFolder(out, detectOutput);
    expect((await readdir(dir)).sort()).toEqual(['out', `out.partial-${process.pid}`, `out.partial-${process.ppid}`].sort());
    expect(await readFile(join(out, 'summary.json'), 'utf8')).toBe('{"run":1}');
    await writeFile(join(fresh.path, 'summary.json'), '{"run":2}');
    await fresh.swapIn();
    expect((await readdir(dir)).sort()).toEqual(['out', `out.partial-${process.ppid}`]);
    expect(await readFile(join(out, 'summary.json'), 'utf8')).toBe('{"run":2}');
  });
});
