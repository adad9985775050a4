// Float64 reference of the whole BERT MLM step (forward + backward), composed from the per-op
// references, in exactly the order src/model/bert.ts records GPU dispatches. Used by the
// whole-model gradient check; far too slow for anything but bert-micro-sized inputs.

import type { ModelConfig } from '../model/config.ts';
import { crossEntropyBackward, crossEntropyForward } from './crossentropy.ts';
import { embeddingsBackward, embeddingsForward, Grads, layersBackward, layersForward, mlmHeadBackward, mlmHeadForward, paramLookup } from './passes.ts';

export interface RefBatch {
  /** (B,T) corrupted input ids. */
  inputs: Uint32Array;
  /** (B,T) 1 = real token, 0 = padding. */
  mask: Uint32Array;
  /** (B,P) masked positions, targets and weights (0 = unused slot). */
  positions: Uint32Array;
  targets: Uint32Array;
  weights: Float64Array;
}

export interface RefStep {
  loss: number;
  accuracy: number;
  grads: Map<string, Float64Array>;
}

/** One forward + backward of the MLM loss; grads are named like the params ("d:" omitted). */
export function bertForwardBackward(params: Map<string, Float64Array>, model: ModelConfig, V: number, B: number, P: number, batch: RefBatch): RefStep {
  const { C, T, layerNormEps: eps } = model;
  const M = B * P;
  const p = paramLookup(params);
  const dims = { B, T, P, C, E: C, V };

  const emb = embeddingsForward(p, 'emb.', batch.inputs, B, T, C, eps);
  const enc = layersForward(p, '', model, emb.ln.out, batch.mask, B, T, eps);
  const head = mlmHeadForward(p, 'head.', 'emb.wte', enc.out, batch.positions, dims, eps);
  const ce = crossEntropyForward(head.logits, batch.targets, batch.weights, M, V);

  // Backward in reverse order, with the same accumulation points as the GPU model.
  const g = new Grads();
  const dlogits = crossEntropyBackward(head.logits, batch.targets, batch.weights, M, V);
  const dx = mlmHeadBackward(p, 'head.', 'emb.wte', head, dlogits, batch.positions, batch.weights, dims, g);
  const dx0 = layersBackward(p, '', model, enc, dx, batch.mask, B, T, g);
  embeddingsBackward(p, 'emb.', emb, dx0, B, T, C, V, g);
  return { loss: ce.meanLoss, accuracy: ce.accuracy, grads: g.map };
}
