// The static memory plan of a BERT MLM: every parameter (and its grad and two AdamW moments, in
// identical layouts), every activation and every activation gradient, by name and shape.
// Parameters that get weight decay are laid out first, so AdamW needs one boundary, not a mask.
// Names follow the structure of Hugging Face BertForMaskedLM; export maps them to HF names.
// What it does not do: scratch space of individual kernels (the model adds that) or allocation.

import { ArenaPlan, numelOf, type DType } from '../gpu/arena.ts';
import type { ModelConfig } from './config.ts';

export interface TensorSpec {
  name: string;
  shape: number[];
  dtype: DType;
}

export interface ParamSpec extends TensorSpec {
  /** Decoupled weight decay applies (matrices and embeddings; not LayerNorm or biases). */
  decay: boolean;
  init: 'normal' | 'zeros' | 'ones';
}

/** Shapes fixed for a run: the model plus batch, vocabulary and prediction slots. */
export interface RunShape {
  model: ModelConfig;
  /** Vocabulary size, from the tokenizer. */
  V: number;
  B: number;
  /** Prediction slots per sequence (masked positions the MLM head scores). */
  P: number;
}

/** Parameter specs split by weight decay, so a model can concatenate parts and keep decayed ones first. */
export interface ParamParts {
  decayed: ParamSpec[];
  plain: ParamSpec[];
}

/** A weight matrix or embedding: N(0, initStd), weight decay. */
export const weightParam = (name: string, shape: number[]): ParamSpec => ({ name, shape, dtype: 'f32', decay: true, init: 'normal' });
/** A bias or LayerNorm parameter: constant init, no weight decay. */
export const plainParam = (name: string, shape: number[], init: 'zeros' | 'ones' = 'zeros'): ParamSpec => ({ name, shape, dtype: 'f32', decay: false, init });
const w = weightParam;
const b = plainParam;

/** Decayed parts first, then the plain ones, each in the order given. */
export function joinParts(parts: ParamParts[]): ParamSpec[] {
  return [...parts.flatMap((p) => p.decayed), ...parts.flatMap((p) => p.plain)];
}

/** Token, position and type embeddings of width E and their LayerNorm (`emb.` for BERT). */
export function embeddingParams(prefix: string, V: number, T: number, E: number): ParamParts {
  return { decayed: [w(`${prefix}wte`, [V, E]), w(`${prefix}wpe`, [T, E]), w(`${prefix}wtt`, [2, E])], plain: [b(`${prefix}ln.w`, [E], 'ones'), b(`${prefix}ln.b`, [E])] };
}

/** Encoder dimensions: layers, width, heads, feed-forward width. */
export interface EncoderDims {
  L: number;
  C: number;
  NH: number;
  FFN: number;
}

/** L post-LN transformer layers, named `${prefix}l0.qkv.w` … (prefix '' for BERT). */
export function layerParams(prefix: string, d: EncoderDims): ParamParts {
  const { C, FFN, L } = d;
  const parts: ParamParts = { decayed: [], plain: [] };
  for (let l = 0; l < L; l++) {
    const p = `${prefix}l${l}.`;
    parts.decayed.push(w(`${p}qkv.w`, [3 * C, C]), w(`${p}proj.w`, [C, C]), w(`${p}fc1.w`, [FFN, C]), w(`${p}fc2.w`, [C, FFN]));
    parts.plain.push(
      b(`${p}qkv.b`, [3 * C]),
      b(`${p}proj.b`, [C]),
      b(`${p}ln1.w`, [C], 'ones'),
      b(`${p}ln1.b`, [C]),
      b(`${p}fc1.b`, [FFN]),
      b(`${p}fc2.b`, [C]),
      b(`${p}ln2.w`, [C], 'ones'),
      b(`${p}ln2.b`, [C]),
    );
  }
  return parts;
}

/** MLM head from width C to the embedding width E: dense → GELU → LayerNorm → tied decoder + bias. */
export function mlmHeadParams(prefix: string, C: number, E: number, V: number): ParamParts {
  return { decayed: [w(`${prefix}dense.w`, [E, C])], plain: [b(`${prefix}dense.b`, [E]), b(`${prefix}ln.w`, [E], 'ones'), b(`${prefix}ln.b`, [E]), b(`${prefix}bias`, [V])] };
}

export function paramSpecs(model: ModelConfig, V: number): ParamSpec[] {
  return joinParts([embeddingParams('emb.', V, model.T, model.C), layerParams('', model), mlmHeadParams('head.', model.C, model.C, V)]);
}

export const f32Tensor = (name: string, shape: number[]): TensorSpec => ({ name, shape, dtype: 'f32' });
export const u32Tensor = (name: string, shape: number[]): TensorSpec => ({ name, shape, dtype: 'u32' });
const f = f32Tensor;
const u = u32Tensor;

/** The batch, the mask and the masking lab's tensors: shared by every objective. */
export function inputSpecs(B: number, T: number, P: number, V: number): TensorSpec[] {
  return [
    u('tokens', [B, T]),
    u('attn_mask', [B, T]),
    u('inputs', [B, T]),
    u('positions', [B, P]),
    u('targets', [B, P]),
    f('weights', [B, P]),
    u('record', [B, T]),
    // Masking-lab inputs and outputs (src/masking): per-token units and sampling weights from the
    // CPU, [CLS]→token attention scores, the unigram CDF for random replacements, mask statistics.
    u('mask.units', [B, T]),
    u('mask.unit_weights', [B, T]),
    f('mask.scores', [B, T]),
    u('mask.cdf', [V]),
    u('mask.row_stats', [B, 8]),
    u('mask.stats', [8]),
  ];
}

/** Embedding sum and its LayerNorm (width E) for one encoder pass, `${prefix}sum` …. */
export function embeddingActs(prefix: string, B: number, T: number, E: number): TensorSpec[] {
  return [f(`${prefix}sum`, [B, T, E]), f(`${prefix}ln.out`, [B, T, E]), f(`${prefix}ln.mean`, [B * T]), f(`${prefix}ln.rstd`, [B * T])];
}

export function layerActs(prefix: string, d: EncoderDims, B: number, T: number): TensorSpec[] {
  const { C, FFN, L, NH } = d;
  const BT = B * T;
  const specs: TensorSpec[] = [];
  for (let l = 0; l < L; l++) {
    const p = `${prefix}l${l}.`;
    specs.push(
      f(`${p}qkv`, [B, T, 3 * C]),
      f(`${p}probs`, [B, NH, T, T]),
      f(`${p}att`, [B, T, C]),
      f(`${p}proj`, [B, T, C]),
      f(`${p}res1`, [B, T, C]),
      f(`${p}ln1.out`, [B, T, C]),
      f(`${p}ln1.mean`, [BT]),
      f(`${p}ln1.rstd`, [BT]),
      f(`${p}fc1.pre`, [B, T, FFN]),
      f(`${p}fc1.out`, [B, T, FFN]),
      f(`${p}fc2`, [B, T, C]),
      f(`${p}res2`, [B, T, C]),
      f(`${p}ln2.out`, [B, T, C]),
      f(`${p}ln2.mean`, [BT]),
      f(`${p}ln2.rstd`, [BT]),
    );
  }
  return specs;
}

/** MLM head activations over M = B·P masked rows, plus its loss and the 4-float metrics block. */
export function mlmHeadActs(prefix: string, M: number, C: number, E: number, V: number): TensorSpec[] {
  return [
    f(`${prefix}rows`, [M, C]),
    f(`${prefix}dense.pre`, [M, E]),
    f(`${prefix}dense.out`, [M, E]),
    f(`${prefix}ln.out`, [M, E]),
    f(`${prefix}ln.mean`, [M]),
    f(`${prefix}ln.rstd`, [M]),
    // Holds the logits after the decoder and, once cross-entropy has run, dlogits (in place).
    f(`${prefix}logits`, [M, V]),
    f(`${prefix}losses`, [M]),
    f(`${prefix}correct`, [M]),
  ];
}

/** Activations of one training step, in forward order. */
export function activationSpecs(s: RunShape): TensorSpec[] {
  const { B, P, V, model } = s;
  return [
    ...inputSpecs(B, model.T, P, V),
    ...embeddingActs('emb.', B, model.T, model.C),
    ...layerActs('', model, B, model.T),
    ...mlmHeadActs('head.', B * P, model.C, model.C, V),
    f('metrics', [4]),
    f('gradnorm', [4]),
  ];
}

/** The gradient of activation `name` ("d:" + name). */
export const gradTensor = (name: string, shape: number[]): TensorSpec => ({ name: `d:${name}`, shape, dtype: 'f32' });
const d = gradTensor;

/** Gradients of one encoder's embedding output and layer activations that backward propagates through. */
export function encoderGradSpecs(embPrefix: string, layerPrefix: string, dims: EncoderDims, E: number, B: number, T: number): TensorSpec[] {
  const specs: TensorSpec[] = [d(`${embPrefix}sum`, [B, T, E]), d(`${embPrefix}ln.out`, [B, T, E])];
  for (let l = 0; l < dims.L; l++) {
    const p = `${layerPrefix}l${l}.`;
    const { C, FFN } = dims;
    specs.push(d(`${p}qkv`, [B, T, 3 * C]), d(`${p}att`, [B, T, C]), d(`${p}ln1.out`, [B, T, C]), d(`${p}fc1.out`, [B, T, FFN]), d(`${p}ln2.out`, [B, T, C]));
  }
  return specs;
}

export function mlmHeadGradSpecs(prefix: string, M: number, C: number, E: number): TensorSpec[] {
  return [d(`${prefix}rows`, [M, C]), d(`${prefix}dense.out`, [M, E]), d(`${prefix}ln.out`, [M, E])];
}

/** Gradients of the activations that backward propagates through (all zeroed each step). */
export function activationGradSpecs(s: RunShape): TensorSpec[] {
  const { B, P, model } = s;
  return [...encoderGradSpecs('emb.', '', model, model.C, B, model.T), ...mlmHeadGradSpecs('head.', B * P, model.C, model.C)];
}

export const POOLS = { params: 'params', grads: 'grads', m: 'adam_m', v: 'adam_v', acts: 'acts', dacts: 'dacts', scratch: 'scratch' } as const;

/** Everything a model's arena holds, by pool. */
export interface ModelSpecs {
  params: ParamSpec[];
  acts: TensorSpec[];
  dacts: TensorSpec[];
}

/**
 * The arena plan: params, grads and both moments in identical layouts, then activations. The
 * four weight pools are bound whole (grad-norm clip and one AdamW dispatch over every parameter).
 */
export function planSpecs(m: ModelSpecs, scratch: TensorSpec[] = []): ArenaPlan {
  const plan = new ArenaPlan();
  for (const [pool, prefix] of [
    [POOLS.params, ''],
    [POOLS.grads, 'd:'],
    [POOLS.m, 'm:'],
    [POOLS.v, 'v:'],
  ] as const) {
    plan.bindWhole(pool);
    for (const p of m.params) plan.add(pool, prefix + p.name, p.shape, p.dtype);
  }
  for (const a of m.acts) plan.add(POOLS.acts, a.name, a.shape, a.dtype);
  for (const a of m.dacts) plan.add(POOLS.dacts, a.name, a.shape, a.dtype);
  for (const t of scratch) plan.add(POOLS.scratch, t.name, t.shape, t.dtype);
  return plan;
}

export function bertSpecs(s: RunShape): ModelSpecs {
  return { params: paramSpecs(s.model, s.V), acts: activationSpecs(s), dacts: activationGradSpecs(s) };
}

export function planModel(s: RunShape, scratch: TensorSpec[] = []): ArenaPlan {
  return planSpecs(bertSpecs(s), scratch);
}

export function parameterCount(model: ModelConfig, V: number): number {
  return paramSpecs(model, V).reduce((a, p) => a + numelOf(p.shape), 0);
}
