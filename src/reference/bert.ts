// Float64 reference of the whole BERT MLM step (forward + backward), composed from the per-op
// references, in exactly the order src/model/bert.ts records GPU dispatches. Used by the
// whole-model gradient check; far too slow for anything but bert-micro-sized inputs.

import type { ModelConfig } from '../model/config.ts';
import { attentionBackward, attentionForward } from './attention.ts';
import { crossEntropyBackward, crossEntropyForward } from './crossentropy.ts';
import { embeddingBackward, embeddingForward } from './embedding.ts';
import { gatherBackward, gatherForward } from './gather.ts';
import { geluBackward, geluForward } from './gelu.ts';
import { layernormBackward, layernormForward } from './layernorm.ts';
import { matmulBackward, matmulForward } from './matmul.ts';

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

function add(a: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! + b[i]!;
  return out;
}

function addInto(acc: Float64Array, b: Float64Array): void {
  for (let i = 0; i < acc.length; i++) acc[i]! += b[i]!;
}

/** One forward + backward of the MLM loss; grads are named like the params ("d:" omitted). */
export function bertForwardBackward(params: Map<string, Float64Array>, model: ModelConfig, V: number, B: number, P: number, batch: RefBatch): RefStep {
  const { C, NH, FFN, T, L, layerNormEps: eps } = model;
  const BT = B * T;
  const M = B * P;
  const p = (name: string): Float64Array => {
    const t = params.get(name);
    if (!t) throw new Error(`reference bert: missing parameter ${name}`);
    return t;
  };

  // ---- forward ----
  const emb = embeddingForward(batch.inputs, p('emb.wte'), p('emb.wpe'), p('emb.wtt'), B, T, C);
  const embLn = layernormForward(emb, p('emb.ln.w'), p('emb.ln.b'), BT, C, eps);
  type LayerActs = { x: Float64Array; qkv: Float64Array; probs: Float64Array; att: Float64Array; res1: Float64Array; ln1: ReturnType<typeof layernormForward>; fc1pre: Float64Array; fc1: Float64Array; res2: Float64Array; ln2: ReturnType<typeof layernormForward> };
  const layers: LayerActs[] = [];
  let x = embLn.out;
  for (let l = 0; l < L; l++) {
    const n = (s: string) => p(`l${l}.${s}`);
    const qkv = matmulForward(x, n('qkv.w'), n('qkv.b'), BT, C, 3 * C);
    const { out: att, probs } = attentionForward(qkv, batch.mask, B, T, C, NH);
    const proj = matmulForward(att, n('proj.w'), n('proj.b'), BT, C, C);
    const res1 = add(x, proj);
    const ln1 = layernormForward(res1, n('ln1.w'), n('ln1.b'), BT, C, eps);
    const fc1pre = matmulForward(ln1.out, n('fc1.w'), n('fc1.b'), BT, C, FFN);
    const fc1 = geluForward(fc1pre);
    const fc2 = matmulForward(fc1, n('fc2.w'), n('fc2.b'), BT, FFN, C);
    const res2 = add(ln1.out, fc2);
    const ln2 = layernormForward(res2, n('ln2.w'), n('ln2.b'), BT, C, eps);
    layers.push({ x, qkv, probs, att, res1, ln1, fc1pre, fc1, res2, ln2 });
    x = ln2.out;
  }
  const rows = gatherForward(x, batch.positions, B, T, P, C);
  const densePre = matmulForward(rows, p('head.dense.w'), p('head.dense.b'), M, C, C);
  const dense = geluForward(densePre);
  const headLn = layernormForward(dense, p('head.ln.w'), p('head.ln.b'), M, C, eps);
  const logits = matmulForward(headLn.out, p('emb.wte'), p('head.bias'), M, C, V);
  const ce = crossEntropyForward(logits, batch.targets, batch.weights, M, V);

  // ---- backward (reverse order; the same accumulation points as the GPU model) ----
  const grads = new Map<string, Float64Array>();
  const g = (name: string, d: Float64Array) => {
    const prev = grads.get(name);
    if (prev) addInto(prev, d);
    else grads.set(name, d.slice());
  };
  const dlogits = crossEntropyBackward(logits, batch.targets, batch.weights, M, V);
  const dec = matmulBackward(dlogits, headLn.out, p('emb.wte'), M, C, V);
  g('emb.wte', dec.dweight);
  g('head.bias', dec.dbias);
  const hln = layernormBackward(dec.dinp, dense, p('head.ln.w'), headLn.mean, headLn.rstd, M, C);
  g('head.ln.w', hln.dweight);
  g('head.ln.b', hln.dbias);
  const ddensePre = geluBackward(densePre, hln.dinp);
  const hd = matmulBackward(ddensePre, rows, p('head.dense.w'), M, C, C);
  g('head.dense.w', hd.dweight);
  g('head.dense.b', hd.dbias);
  let dx = gatherBackward(hd.dinp, batch.positions, batch.weights, B, T, P, C);

  for (let l = L - 1; l >= 0; l--) {
    const a = layers[l]!;
    const n = (s: string) => p(`l${l}.${s}`);
    const pre = `l${l}.`;
    const b2 = layernormBackward(dx, a.res2, n('ln2.w'), a.ln2.mean, a.ln2.rstd, BT, C);
    g(pre + 'ln2.w', b2.dweight);
    g(pre + 'ln2.b', b2.dbias);
    const dln1 = b2.dinp.slice(); // residual path of res2 = ln1 + fc2
    const f2 = matmulBackward(b2.dinp, a.fc1, n('fc2.w'), BT, FFN, C);
    g(pre + 'fc2.w', f2.dweight);
    g(pre + 'fc2.b', f2.dbias);
    const dfc1pre = geluBackward(a.fc1pre, f2.dinp);
    const f1 = matmulBackward(dfc1pre, a.ln1.out, n('fc1.w'), BT, C, FFN);
    g(pre + 'fc1.w', f1.dweight);
    g(pre + 'fc1.b', f1.dbias);
    addInto(dln1, f1.dinp);
    const b1 = layernormBackward(dln1, a.res1, n('ln1.w'), a.ln1.mean, a.ln1.rstd, BT, C);
    g(pre + 'ln1.w', b1.dweight);
    g(pre + 'ln1.b', b1.dbias);
    const dxin = b1.dinp.slice(); // residual path of res1 = x + proj
    const pr = matmulBackward(b1.dinp, a.att, n('proj.w'), BT, C, C);
    g(pre + 'proj.w', pr.dweight);
    g(pre + 'proj.b', pr.dbias);
    const dqkv = attentionBackward(pr.dinp, a.qkv, a.probs, batch.mask, B, T, C, NH);
    const q = matmulBackward(dqkv, a.x, n('qkv.w'), BT, C, 3 * C);
    g(pre + 'qkv.w', q.dweight);
    g(pre + 'qkv.b', q.dbias);
    addInto(dxin, q.dinp);
    dx = dxin;
  }
  const be = layernormBackward(dx, emb, p('emb.ln.w'), embLn.mean, embLn.rstd, BT, C);
  g('emb.ln.w', be.dweight);
  g('emb.ln.b', be.dbias);
  const eb = embeddingBackward(be.dinp, batch.inputs, B, T, C, V, T);
  g('emb.wte', eb.dwte);
  g('emb.wpe', eb.dwpe);
  g('emb.wtt', eb.dwtt);
  return { loss: ce.meanLoss, accuracy: ce.accuracy, grads };
}
