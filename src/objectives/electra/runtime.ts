// ELECTRA in the engine: a generator and a discriminator sharing embeddings (model/electra.ts).
import { electraDiscriminatorOnnx } from '../../export/onnx.ts';
import { createElectra } from '../../model/electra.ts';
import { electraFlopsPerStep } from '../../train/flops.ts';
import type { ObjectiveRuntime } from '../runtime-types.ts';
import { ElectraEvalSum, electraMetrics } from './metrics.ts';

type Blocks = readonly (Float32Array | Uint32Array)[];
const blocks = (b: Blocks) => [b[0] as Float32Array, b[1] as Uint32Array] as const;

export const runtime: ObjectiveRuntime = {
  build: createElectra,
  flopsPerStep: (config, V, B, P) => electraFlopsPerStep(config, V, B, P),
  // The discriminator is the model ELECTRA keeps; the generator has its own export in hf.ts.
  onnx: electraDiscriminatorOnnx,
  metrics: {
    // The common block is the generator's MLM; the discriminator's BCE block and the replace stats.
    tensors: [
      { name: 'disc.metrics', type: 'f32' },
      { name: 'electra.stats', type: 'u32' },
    ],
    step(common, b, config) {
      const values = electraMetrics(common, ...blocks(b));
      return { values, loss: values.genLoss + config.electra.discWeight * values.discLoss };
    },
    evalSum() {
      const sum = new ElectraEvalSum();
      return { add: (common, b) => sum.add(common, ...blocks(b)), result: () => sum.result() };
    },
  },
};
