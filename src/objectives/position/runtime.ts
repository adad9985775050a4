// Position prediction in the engine: the model (model.ts), its FLOPs, its position-error readback
// and the per-token-id baseline.
import { encoderForwardFlops } from '../../train/flops.ts';
import type { ObjectiveRuntime } from '../runtime-types.ts';
import { mostFrequentPositions, positionBaseline } from './baseline.ts';
import { createPositionModel } from './model.ts';

/** Training batches the baseline counts positions on: the run's first steps, at most this many. */
const BASELINE_BATCHES = 500;

export const runtime: ObjectiveRuntime = {
  build: createPositionModel,
  flopsPerStep: (config, _V, B) => {
    const { T, C } = config.model;
    return { model: 3 * (encoderForwardFlops(config.model, B) + 2 * B * T * C * T) };
  },
  baselines(dataset, config, evalRows) {
    const B = config.train.batch;
    const steps = Math.min(config.train.steps, BASELINE_BATCHES);
    const batches = (function* () {
      for (let s = 0; s < steps; s++) yield dataset.batch(s, B);
    })();
    const r = positionBaseline(mostFrequentPositions(batches, dataset.tokenizer.vocabSize, config.model.T), dataset.evalSet, evalRows);
    const label = `each token id → its most frequent position in the first ${steps} training batches`;
    return [
      { metric: 'accuracy', label, value: r.accuracy },
      { metric: 'posError', label, value: r.meanError },
    ];
  },
  metrics: {
    tensors: [{ name: 'pos.error', type: 'f32' }],
    step: (_common, [e]) => ({ values: { posError: e![1]! > 0 ? e![0]! / e![1]! : NaN } }),
    evalSum() {
      let err = 0;
      let n = 0;
      return {
        add: (_common, [e]) => ((err += e![0]!), (n += e![1]!)),
        result: () => ({ posError: n > 0 ? err / n : NaN }),
      };
    },
  },
};
