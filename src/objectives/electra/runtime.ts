// ELECTRA in the engine: a generator and a discriminator sharing embeddings (model/electra.ts).
import { electraDiscriminatorOnnx } from '../../export/onnx.ts';
import { createElectra } from '../../model/electra.ts';
import { electraFlopsPerStep } from '../../train/flops.ts';
import type { ObjectiveRuntime } from '../runtime-types.ts';

export const runtime: ObjectiveRuntime = {
  build: createElectra,
  flopsPerStep: (config, V, B, P) => electraFlopsPerStep(config, V, B, P),
  // The discriminator is the model ELECTRA keeps; the generator has its own export in hf.ts.
  onnx: electraDiscriminatorOnnx,
};
