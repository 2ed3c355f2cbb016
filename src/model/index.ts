/** The change model: manifests, the ONNX runner and tile preprocessing (DESIGN.md section 5). */
export { checkAgreement, type Agreement } from './agreement.js';
export { parseManifest, readManifest } from './manifest.js';
export { loadChangeModel, modelsDir, openOnnxChangeModel, type ModelOptions } from './onnx-change-model.js';
export { toModelInput } from './preprocess.js';
export type { ChangeModel, ModelInput, ModelManifest } from './types.js';
