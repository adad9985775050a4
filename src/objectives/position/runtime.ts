// Position prediction in the engine: the model (model.ts), its FLOPs, its position-error readback
// and its baselines (per token id; per token id and row length).
import { encoderForwardFlops } from '../../train/flops.ts';
import type { ObjectiveRuntime } from '../runtime-types.ts';
import { PositionCounts, positionBaseline } from './baseline.ts';
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
    const { T } = config.model;
    const steps = Math.min(config.train.steps, BASELINE_BATCHES);
    const counts = new PositionCounts(dataset.tokenizer.vocabSize, T);
    for (let s = 0; s < steps; s++) counts.add(dataset.batch(s, B));
    const guesses = [
      { short: 'per token id', label: `each token id → its most frequent position in the first ${steps} training batches`, guess: counts.perId() },
      { short: 'per id and row length', label: `each (token id, row length) → its most frequent position in the first ${steps} training batches`, guess: counts.perIdLength() },
    ];
    return guesses.flatMap(({ short, label, guess }) => {
      const r = positionBaseline(guess, dataset.evalSet, evalRows);
      return [
        { metric: 'accuracy', short, label, value: r.accuracy },
        { metric: 'posError', short, label, value: r.meanError },
      ];
    });
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
