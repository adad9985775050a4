// Float64 reference of the whole position-prediction step (forward + backward), composed from
// the per-op references in the order model.ts records GPU dispatches: embeddings with a zero
// position table, the encoder with the context mask as its key mask, the linear head over T
// positions, cross-entropy at every real token. For the gradient check only (tiny inputs).
import type { ModelConfig } from '../../model/config.ts';
import { crossEntropyBackward, crossEntropyForward } from '../../reference/crossentropy.ts';
import { matmulBackward, matmulForward } from '../../reference/matmul.ts';
import { embeddingsBackward, embeddingsForward, Grads, layersBackward, layersForward, paramLookup } from '../../reference/passes.ts';
import { positionErrorReference } from '../../reference/position.ts';

export interface PositionRefBatch {
  /** (B,T) token ids and 1 = real token. */
  tokens: Uint32Array;
  real: Uint32Array;
  /** (B,T) the context mask the GPU drew (its twin is checked on its own). */
  context: Uint32Array;
}

export interface PositionRefStep {
  loss: number;
  accuracy: number;
  /** Mean |argmax − true position| over the real tokens. */
  error: number;
  grads: Map<string, Float64Array>;
}

export function positionForwardBackward(params: Map<string, Float64Array>, model: ModelConfig, V: number, B: number, batch: PositionRefBatch): PositionRefStep {
  const { C, T, layerNormEps: eps } = model;
  const M = B * T;
  const zeroWpe = new Float64Array(T * C);
  const lookup = paramLookup(params);
  const p = (name: string) => (name === 'emb.wpe' ? zeroWpe : lookup(name));
  const targets = Uint32Array.from({ length: M }, (_, i) => i % T);
  const weights = Float64Array.from(batch.real);

  const emb = embeddingsForward(p, 'emb.', batch.tokens, B, T, C, eps);
  const enc = layersForward(p, '', model, emb.ln.out, batch.context, B, T, eps);
  const logits = matmulForward(enc.out, p('pos.head.w'), p('pos.head.b'), M, C, T);
  const [errSum, w] = positionErrorReference(logits, targets, weights, M, T);
  const ce = crossEntropyForward(logits, targets, weights, M, T);

  const g = new Grads();
  const dlogits = crossEntropyBackward(logits, targets, weights, M, T);
  const head = matmulBackward(dlogits, enc.out, p('pos.head.w'), M, C, T);
  g.add('pos.head.w', head.dweight);
  g.add('pos.head.b', head.dbias);
  const dx0 = layersBackward(p, '', model, enc, head.dinp, batch.context, B, T, g);
  embeddingsBackward(p, 'emb.', emb, dx0, B, T, C, V, g);
  g.map.delete('emb.wpe'); // not a parameter here
  return { loss: ce.meanLoss, accuracy: ce.accuracy, error: errSum / w, grads: g.map };
}
