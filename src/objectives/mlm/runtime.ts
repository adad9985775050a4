// MLM in the engine: BERT's encoder and MLM head.
import { bertOnnx } from '../../export/onnx.ts';
import { createBert } from '../../model/bert.ts';
import { mlmFlopsPerStep } from '../../train/flops.ts';
import type { ObjectiveRuntime } from '../runtime-types.ts';

export const runtime: ObjectiveRuntime = {
  build: createBert,
  flopsPerStep: (config, V, B, P) => ({ model: mlmFlopsPerStep(config.model, V, B, P) }),
  onnx: bertOnnx,
};
