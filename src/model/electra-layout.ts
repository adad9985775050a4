// The static memory plan of ELECTRA (Hugging Face ElectraForPreTraining + ElectraForMaskedLM):
// a generator and a discriminator encoder, by default sharing token, position and type
// embeddings and their LayerNorm (width E = the discriminator's hidden size, as in
// google-research/electra, whose generator projects E → its own width: `gen.emb.proj`).
// Names: shared `emb.*` (untied: the generator's are `gen.emb.*`), `gen.l0.*`, `gen.head.*`
// (MLM head: dense C_g → E, LayerNorm, decoder tied to the generator's token embedding),
// `disc.l0.*`, `disc.head.dense.*` (C → C, GELU) and `disc.head.out.*` (C → 1).
// With a uniform generator (RTS) there are no generator parameters at all.

import type { ElectraConfig, ModelConfig } from './config.ts';
import { generatorDims } from './config.ts';
import {
  embeddingActs,
  f32Tensor,
  gradTensor,
  u32Tensor,
  plainParam,
  weightParam,
  embeddingParams,
  encoderGradSpecs,
  inputSpecs,
  joinParts,
  layerActs,
  layerParams,
  mlmHeadActs,
  mlmHeadGradSpecs,
  mlmHeadParams,
  type EncoderDims,
  type ModelSpecs,
  type ParamParts,
  type TensorSpec,
} from './layout.ts';

export interface ElectraShape {
  model: ModelConfig;
  electra: ElectraConfig;
  V: number;
  B: number;
  P: number;
}

/** The generator's encoder, its embedding-table prefix, and whether it projects E → C_g. */
export function generatorPlan(s: ElectraShape): { dims: EncoderDims; emb: string; project: boolean } {
  const dims = generatorDims(s.model, s.electra.genFraction);
  return { dims, emb: s.electra.tiedEmbeddings ? 'emb.' : 'gen.emb.', project: dims.C !== s.model.C };
}

const f = f32Tensor;
const u = u32Tensor;
const d = gradTensor;

export function electraSpecs(s: ElectraShape): ModelSpecs {
  const { model, V, B, P } = s;
  const { T, C } = model;
  const E = C;
  const BT = B * T;
  const M = B * P;
  const g = generatorPlan(s);
  const useGen = !s.electra.uniformGenerator;
  const Cg = g.dims.C;

  const parts: ParamParts[] = [embeddingParams('emb.', V, T, E)];
  if (useGen) {
    if (g.emb !== 'emb.') parts.push(embeddingParams(g.emb, V, T, E));
    if (g.project) parts.push({ decayed: [weightParam('gen.emb.proj.w', [Cg, E])], plain: [plainParam('gen.emb.proj.b', [Cg])] });
    parts.push(layerParams('gen.', g.dims), mlmHeadParams('gen.head.', Cg, E, V));
  }
  parts.push(layerParams('disc.', model), {
    decayed: [weightParam('disc.head.dense.w', [C, C]), weightParam('disc.head.out.w', [1, C])],
    plain: [plainParam('disc.head.dense.b', [C]), plainParam('disc.head.out.b', [1])],
  });

  const acts: TensorSpec[] = [...inputSpecs(B, T, P, V)];
  const dacts: TensorSpec[] = [];
  if (useGen) {
    acts.push(...embeddingActs('gen.emb.', B, T, E));
    if (g.project) acts.push(f('gen.x0', [B, T, Cg]));
    acts.push(...layerActs('gen.', g.dims, B, T), ...mlmHeadActs('gen.head.', M, Cg, E, V));
    dacts.push(...encoderGradSpecs('gen.emb.', 'gen.', g.dims, E, B, T), ...mlmHeadGradSpecs('gen.head.', M, Cg, E));
    if (g.project) dacts.push(d('gen.x0', [B, T, Cg]));
  } else {
    // The sampler's logits binding: never read in uniform mode, so one row's worth will do.
    acts.push(f('gen.head.logits', [1]));
  }
  acts.push(
    f('metrics', [4]), // generator MLM loss, accuracy, Σw (zero with a uniform generator)
    u('electra.sampled', [B, P]),
    u('disc.inputs', [B, T]),
    f('disc.labels', [B, T]),
    f('disc.loss_weights', [B, T]),
    u('electra.row_stats', [B, 4]),
    u('electra.stats', [4]),
    ...embeddingActs('disc.emb.', B, T, E),
    ...layerActs('disc.', model, B, T),
    f('disc.head.pre', [B, T, C]),
    f('disc.head.out', [B, T, C]),
    // Holds the discriminator's logits and, once the BCE has run, its dlogits (in place).
    f('disc.logits', [BT]),
    f('disc.losses', [BT]),
    f('disc.probs', [BT]),
    f('disc.metrics', [8]),
    f('gradnorm', [4]),
  );
  dacts.push(...encoderGradSpecs('disc.emb.', 'disc.', model, E, B, T), d('disc.head.out', [B, T, C]));
  return { params: joinParts(parts), acts, dacts };
}
