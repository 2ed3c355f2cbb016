import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeAtomically } from './files.js';

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
