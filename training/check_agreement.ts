/**
 * Checks an exported model against the agreement fixture that training/export.py wrote beside it:
 * onnxruntime-node must reproduce PyTorch's probabilities within the recorded tolerance.
 *
 *   node --import tsx training/check_agreement.ts models/zhiwei-cd-v1.onnx
 */
import { checkAgreement } from '../src/model/agreement.js';
import { loadChangeModel } from '../src/model/onnx-change-model.js';

const onnxPath = process.argv[2];
if (!onnxPath) throw new Error('usage: check_agreement.ts MODEL.onnx');
const model = await loadChangeModel(onnxPath);
const agreement = await checkAgreement(model, onnxPath.replace(/\.onnx$/, '.agreement.json'));
await model.close();
console.log(JSON.stringify({ onnx: onnxPath, ...agreement }));
if (!(agreement.maxAbsDiff <= agreement.tolerance)) process.exit(1);
