import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { keptSessions, openKeptModel } from './kept-sessions.js';
import { findChangeModel } from './onnx-change-model.js';
import { toModelInput } from './preprocess.js';

const tinyModel = fileURLToPath(new URL('testdata/tiny-cd.onnx', import.meta.url));

describe('openKeptModel', () => {
  it('keeps a closed session for the next open of the same model, which gives the same probabilities to the bit', async () => {
    const { onnxPath, manifest } = await findChangeModel(tinyModel);
    const tile = Uint8Array.from({ length: 32 * 32 * 3 }, (_, i) => (i * 37) % 256);
    const before = toModelInput([tile, tile], manifest);
    const after = toModelInput([tile, tile.map((v) => 255 - v)], manifest);
    const first = await openKeptModel(onnxPath, manifest, { threads: 1 });
    const fresh = Float32Array.from(await first.run(before, after, 2));
    await first.close();
    expect(keptSessions()).toBe(1);
    const second = await openKeptModel(onnxPath, manifest, { threads: 1 });
    // taken: a job running beside it opens a session of its own
    expect(keptSessions()).toBe(0);
    expect(await second.run(before, after, 2)).toEqual(fresh);
    // another thread count is another session
    const other = await openKeptModel(onnxPath, manifest, { threads: 2 });
    await Promise.all([second.close(), other.close()]);
    expect(keptSessions()).toBe(2);
  });

  it('closes rather than keeps a session whose run failed', async () => {
    const { onnxPath, manifest } = await findChangeModel(tinyModel);
    const model = await openKeptModel(onnxPath, manifest, { threads: 3 });
    const wrongSize = new Float32Array(5);
    await expect(model.run(wrongSize, wrongSize, 1)).rejects.toThrow();
    const kept = keptSessions();
    await model.close();
    expect(keptSessions()).toBe(kept);
  });
});
