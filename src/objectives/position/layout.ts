// The position model's tensors (model.ts): BERT's encoder without the position table, a linear
// head from width C to the T position classes, and its loss inputs. Named so the probes, the
// masking lab and the views find what they find in BERT ('tokens', 'attn_mask', 'emb.ln.out',
// 'l{l}.ln2.out', 'l{l}.probs', 'metrics').
import type { ModelConfig } from '../../model/config.ts';
import {
  embeddingActs,
  embeddingParams,
  encoderGradSpecs,
  f32Tensor,
  gradTensor,
  inputSpecs,
  joinParts,
  layerActs,
  layerParams,
  plainParam,
  u32Tensor,
  weightParam,
  type ModelSpecs,
  type ParamSpec,
} from '../../model/layout.ts';

export function positionParams(model: ModelConfig, V: number): ParamSpec[] {
  const emb = embeddingParams('emb.', V, model.T, model.C);
  return joinParts([
    { decayed: emb.decayed.filter((p) => p.name !== 'emb.wpe'), plain: emb.plain },
    layerParams('', model),
    { decayed: [weightParam('pos.head.w', [model.T, model.C])], plain: [plainParam('pos.head.b', [model.T])] },
  ]);
}

export function positionSpecs(model: ModelConfig, V: number, B: number, P: number): ModelSpecs {
  const { T, C } = model;
  const BT = B * T;
  return {
    params: positionParams(model, V),
    acts: [
      ...inputSpecs(B, T, P, V),
      // The embedding op adds a position table: here a constant zero one, not a parameter.
      f32Tensor('emb.wpe', [T, C]),
      ...embeddingActs('emb.', B, T, C),
      ...layerActs('', model, B, T),
      u32Tensor('pos.real', [B, T]), // the batch's attention mask; attn_mask becomes the context
      u32Tensor('pos.targets', [BT]), // t at (b, t)
      f32Tensor('pos.weights', [BT]), // 1 at real tokens
      f32Tensor('pos.logits', [BT, T]), // then dlogits, in place (cross-entropy)
      f32Tensor('pos.losses', [BT]),
      f32Tensor('pos.correct', [BT]),
      f32Tensor('pos.error', [4]), // [Σ w·|argmax − t|, Σ w, 0, 0]
      f32Tensor('metrics', [4]),
      f32Tensor('gradnorm', [4]),
    ],
    // d:emb.wpe takes the embedding op's position gradient, which nothing reads.
    dacts: [...encoderGradSpecs('emb.', '', model, C, B, T), gradTensor('emb.wpe', [T, C])],
  };
}
