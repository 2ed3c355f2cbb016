/**
 * Change model sessions kept between the jobs and batches of one process. A fresh onnxruntime
 * session runs its first batch up to three times as slowly as the rest (bench/README.md),
 * and a `zhiwei worker` runs batch after batch, the service job after job. Closing a model opened
 * here keeps its session, idle, for the next open of the same model file, version and thread count
 * (one idle session each); an idle session's thread does not keep the process alive.
 */
import { openOnnxChangeModel, type ModelOptions } from './onnx-change-model.js';
import type { ChangeModel, ModelManifest } from './types.js';

const idle = new Map<string, ChangeModel>();

/** `openOnnxChangeModel`, taking a kept session when there is one; `close` keeps it unless a run failed. */
export async function openKeptModel(onnxPath: string, manifest: ModelManifest, options: Required<ModelOptions>): Promise<ChangeModel> {
  const key = `${onnxPath}\n${manifest.version}\n${options.threads}`;
  const kept = idle.get(key);
  idle.delete(key);
  const model = kept ?? (await openOnnxChangeModel(onnxPath, manifest, options));
  let failed = false;
  let closed = false;
  return {
    manifest: model.manifest,
    run: async (before, after, batch) => {
      try {
        return await model.run(before, after, batch);
      } catch (err) {
        // a session that failed (its thread gone, say) is not handed to the next job
        failed = true;
        throw err;
      }
    },
    close: async () => {
      if (closed) return;
      closed = true;
      if (failed || idle.has(key)) await model.close();
      else idle.set(key, model);
    },
  };
}

/** How many idle sessions are kept. */
export function keptSessions(): number {
  return idle.size;
}
