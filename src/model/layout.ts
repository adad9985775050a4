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

export function paramSpecs(model: ModelConfig, V: number): ParamSpec[] {
  const { C, FFN, T, L } = model;
  const w = (name: string, shape: number[]): ParamSpec => ({ name, shape, dtype: 'f32', decay: true, init: 'normal' });
  const b = (name: string, shape: number[], init: 'zeros' | 'ones' = 'zeros'): ParamSpec => ({ name, shape, dtype: 'f32', decay: false, init });
  const decayed: ParamSpec[] = [w('emb.wte', [V, C]), w('emb.wpe', [T, C]), w('emb.wtt', [2, C])];
  const plain: ParamSpec[] = [b('emb.ln.w', [C], 'ones'), b('emb.ln.b', [C])];
  for (let l = 0; l < L; l++) {
    const p = `l${l}.`;
    decayed.push(w(`${p}qkv.w`, [3 * C, C]), w(`${p}proj.w`, [C, C]), w(`${p}fc1.w`, [FFN, C]), w(`${p}fc2.w`, [C, FFN]));
    plain.push(
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
  decayed.push(w('head.dense.w', [C, C]));
  plain.push(b('head.dense.b', [C]), b('head.ln.w', [C], 'ones'), b('head.ln.b', [C]), b('head.bias', [V]));
  return [...decayed, ...plain];
}

/** Activations of one training step, in forward order. */
export function activationSpecs(s: RunShape): TensorSpec[] {
  const { C, FFN, T, L, NH } = s.model;
  const { B, P, V } = s;
  const BT = B * T;
  const M = B * P;
  const f = (name: string, shape: number[]): TensorSpec => ({ name, shape, dtype: 'f32' });
  const u = (name: string, shape: number[]): TensorSpec => ({ name, shape, dtype: 'u32' });
  const specs: TensorSpec[] = [
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
    f('emb.sum', [B, T, C]),
    f('emb.ln.out', [B, T, C]),
    f('emb.ln.mean', [BT]),
    f('emb.ln.rstd', [BT]),
  ];
  for (let l = 0; l < L; l++) {
    const p = `l${l}.`;
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
  specs.push(
    f('head.rows', [M, C]),
    f('head.dense.pre', [M, C]),
    f('head.dense.out', [M, C]),
    f('head.ln.out', [M, C]),
    f('head.ln.mean', [M]),
    f('head.ln.rstd', [M]),
    // Holds the logits after the decoder and, once cross-entropy has run, dlogits (in place).
    f('head.logits', [M, V]),
    f('head.losses', [M]),
    f('head.correct', [M]),
    f('metrics', [4]),
    f('gradnorm', [4]),
  );
  return specs;
}

/** Gradients of the activations that backward propagates through (all zeroed each step). */
export function activationGradSpecs(s: RunShape): TensorSpec[] {
  const { C, FFN, T, L } = s.model;
  const { B, P } = s;
  const M = B * P;
  const d = (name: string, shape: number[]): TensorSpec => ({ name: `d:${name}`, shape, dtype: 'f32' });
  const specs: TensorSpec[] = [d('emb.sum', [B, T, C]), d('emb.ln.out', [B, T, C])];
  for (let l = 0; l < L; l++) {
    const p = `l${l}.`;
    specs.push(d(`${p}qkv`, [B, T, 3 * C]), d(`${p}att`, [B, T, C]), d(`${p}ln1.out`, [B, T, C]), d(`${p}fc1.out`, [B, T, FFN]), d(`${p}ln2.out`, [B, T, C]));
  }
  specs.push(d('head.rows', [M, C]), d('head.dense.out', [M, C]), d('head.ln.out', [M, C]));
  return specs;
}

export const POOLS = { params: 'params', grads: 'grads', m: 'adam_m', v: 'adam_v', acts: 'acts', dacts: 'dacts', scratch: 'scratch' } as const;

/** The arena plan: params, grads and both moments in identical layouts, then activations. */
export function planModel(s: RunShape, scratch: TensorSpec[] = []): ArenaPlan {
  const plan = new ArenaPlan();
  const params = paramSpecs(s.model, s.V);
  for (const [pool, prefix] of [
    [POOLS.params, ''],
    [POOLS.grads, 'd:'],
    [POOLS.m, 'm:'],
    [POOLS.v, 'v:'],
  ] as const) {
    for (const p of params) plan.add(pool, prefix + p.name, p.shape, p.dtype);
  }
  for (const a of activationSpecs(s)) plan.add(POOLS.acts, a.name, a.shape, a.dtype);
  for (const a of activationGradSpecs(s)) plan.add(POOLS.dacts, a.name, a.shape, a.dtype);
  for (const t of scratch) plan.add(POOLS.scratch, t.name, t.shape, t.dtype);
  return plan;
}

export function parameterCount(model: ModelConfig, V: number): number {
  return paramSpecs(model, V).reduce((a, p) => a + numelOf(p.shape), 0);
}
