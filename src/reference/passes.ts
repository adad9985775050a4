// Float64 references of the pieces src/model/passes.ts builds models from: embeddings, a stack
// of post-LN transformer layers and the MLM head, forward and backward, with the same parameter
// names and the same accumulation points as the GPU passes. Gradients collect in a Grads map
// (summed when two passes share a parameter, as ELECTRA's embeddings do).

import type { EncoderDims } from '../model/layout.ts';
import { attentionBackward, attentionForward } from './attention.ts';
import { embeddingBackward, embeddingForward } from './embedding.ts';
import { gatherBackward, gatherForward } from './gather.ts';
import { geluBackward, geluForward } from './gelu.ts';
import { layernormBackward, layernormForward } from './layernorm.ts';
import { matmulBackward, matmulForward } from './matmul.ts';

export type Params = (name: string) => Float64Array;

export function paramLookup(params: Map<string, Float64Array>): Params {
  return (name) => {
    const t = params.get(name);
    if (!t) throw new Error(`reference: missing parameter ${name}`);
    return t;
  };
}

function add(a: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! + b[i]!;
  return out;
}

export function addInto(acc: Float64Array, b: Float64Array): void {
  for (let i = 0; i < acc.length; i++) acc[i]! += b[i]!;
}

/** Parameter gradients by name; a second contribution to a name adds to the first. */
export class Grads {
  readonly map = new Map<string, Float64Array>();
  add(name: string, d: Float64Array): void {
    const prev = this.map.get(name);
    if (prev) addInto(prev, d);
    else this.map.set(name, d.slice());
  }
}

type Ln = ReturnType<typeof layernormForward>;

export interface EmbeddingActs {
  ids: Uint32Array;
  emb: Float64Array;
  ln: Ln;
}

export function embeddingsForward(p: Params, prefix: string, ids: Uint32Array, B: number, T: number, E: number, eps: number): EmbeddingActs {
  const emb = embeddingForward(ids, p(`${prefix}wte`), p(`${prefix}wpe`), p(`${prefix}wtt`), B, T, E);
  return { ids, emb, ln: layernormForward(emb, p(`${prefix}ln.w`), p(`${prefix}ln.b`), B * T, E, eps) };
}

export function embeddingsBackward(p: Params, prefix: string, a: EmbeddingActs, dout: Float64Array, B: number, T: number, E: number, V: number, g: Grads): void {
  const be = layernormBackward(dout, a.emb, p(`${prefix}ln.w`), a.ln.mean, a.ln.rstd, B * T, E);
  g.add(`${prefix}ln.w`, be.dweight);
  g.add(`${prefix}ln.b`, be.dbias);
  const eb = embeddingBackward(be.dinp, a.ids, B, T, E, V, T);
  g.add(`${prefix}wte`, eb.dwte);
  g.add(`${prefix}wpe`, eb.dwpe);
  g.add(`${prefix}wtt`, eb.dwtt);
}

interface LayerActs {
  x: Float64Array;
  qkv: Float64Array;
  probs: Float64Array;
  att: Float64Array;
  res1: Float64Array;
  ln1: Ln;
  fc1pre: Float64Array;
  fc1: Float64Array;
  res2: Float64Array;
  ln2: Ln;
}

export interface LayersActs {
  layers: LayerActs[];
  out: Float64Array;
}

export function layersForward(p: Params, prefix: string, d: EncoderDims, x0: Float64Array, mask: Uint32Array, B: number, T: number, eps: number): LayersActs {
  const { C, NH, FFN, L } = d;
  const BT = B * T;
  const layers: LayerActs[] = [];
  let x = x0;
  for (let l = 0; l < L; l++) {
    const n = (s: string) => p(`${prefix}l${l}.${s}`);
    const qkv = matmulForward(x, n('qkv.w'), n('qkv.b'), BT, C, 3 * C);
    const { out: att, probs } = attentionForward(qkv, mask, B, T, C, NH);
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
  return { layers, out: x };
}

/** Backward through the layers from d(out); returns d(x0). */
export function layersBackward(p: Params, prefix: string, d: EncoderDims, a: LayersActs, dout: Float64Array, mask: Uint32Array, B: number, T: number, g: Grads): Float64Array {
  const { C, NH, FFN, L } = d;
  const BT = B * T;
  let dx = dout;
  for (let l = L - 1; l >= 0; l--) {
    const s = a.layers[l]!;
    const n = (x: string) => p(`${prefix}l${l}.${x}`);
    const pre = `${prefix}l${l}.`;
    const b2 = layernormBackward(dx, s.res2, n('ln2.w'), s.ln2.mean, s.ln2.rstd, BT, C);
    g.add(pre + 'ln2.w', b2.dweight);
    g.add(pre + 'ln2.b', b2.dbias);
    const dln1 = b2.dinp.slice(); // residual path of res2 = ln1 + fc2
    const f2 = matmulBackward(b2.dinp, s.fc1, n('fc2.w'), BT, FFN, C);
    g.add(pre + 'fc2.w', f2.dweight);
    g.add(pre + 'fc2.b', f2.dbias);
    const dfc1pre = geluBackward(s.fc1pre, f2.dinp);
    const f1 = matmulBackward(dfc1pre, s.ln1.out, n('fc1.w'), BT, C, FFN);
    g.add(pre + 'fc1.w', f1.dweight);
    g.add(pre + 'fc1.b', f1.dbias);
    addInto(dln1, f1.dinp);
    const b1 = layernormBackward(dln1, s.res1, n('ln1.w'), s.ln1.mean, s.ln1.rstd, BT, C);
    g.add(pre + 'ln1.w', b1.dweight);
    g.add(pre + 'ln1.b', b1.dbias);
    const dxin = b1.dinp.slice(); // residual path of res1 = x + proj
    const pr = matmulBackward(b1.dinp, s.att, n('proj.w'), BT, C, C);
    g.add(pre + 'proj.w', pr.dweight);
    g.add(pre + 'proj.b', pr.dbias);
    const dqkv = attentionBackward(pr.dinp, s.qkv, s.probs, mask, B, T, C, NH);
    const q = matmulBackward(dqkv, s.x, n('qkv.w'), BT, C, 3 * C);
    g.add(pre + 'qkv.w', q.dweight);
    g.add(pre + 'qkv.b', q.dbias);
    addInto(dxin, q.dinp);
    dx = dxin;
  }
  return dx;
}

export interface HeadActs {
  rows: Float64Array;
  densePre: Float64Array;
  dense: Float64Array;
  ln: Ln;
  logits: Float64Array;
}

/** MLM head (C → E → tied decoder over V) on the gathered masked rows of x (B,T,C). */
export function mlmHeadForward(p: Params, prefix: string, wte: string, x: Float64Array, positions: Uint32Array, dims: { B: number; T: number; P: number; C: number; E: number; V: number }, eps: number): HeadActs {
  const { B, T, P, C, E, V } = dims;
  const M = B * P;
  const rows = gatherForward(x, positions, B, T, P, C);
  const densePre = matmulForward(rows, p(`${prefix}dense.w`), p(`${prefix}dense.b`), M, C, E);
  const dense = geluForward(densePre);
  const ln = layernormForward(dense, p(`${prefix}ln.w`), p(`${prefix}ln.b`), M, E, eps);
  return { rows, densePre, dense, ln, logits: matmulForward(ln.out, p(wte), p(`${prefix}bias`), M, E, V) };
}

/** Backward of the MLM head from dlogits; returns d(x) (B,T,C). */
export function mlmHeadBackward(
  p: Params,
  prefix: string,
  wte: string,
  a: HeadActs,
  dlogits: Float64Array,
  positions: Uint32Array,
  weights: Float64Array,
  dims: { B: number; T: number; P: number; C: number; E: number; V: number },
  g: Grads,
): Float64Array {
  const { B, T, P, C, E, V } = dims;
  const M = B * P;
  const dec = matmulBackward(dlogits, a.ln.out, p(wte), M, E, V);
  g.add(wte, dec.dweight);
  g.add(`${prefix}bias`, dec.dbias);
  const hln = layernormBackward(dec.dinp, a.dense, p(`${prefix}ln.w`), a.ln.mean, a.ln.rstd, M, E);
  g.add(`${prefix}ln.w`, hln.dweight);
  g.add(`${prefix}ln.b`, hln.dbias);
  const ddensePre = geluBackward(a.densePre, hln.dinp);
  const hd = matmulBackward(ddensePre, a.rows, p(`${prefix}dense.w`), M, C, E);
  g.add(`${prefix}dense.w`, hd.dweight);
  g.add(`${prefix}dense.b`, hd.dbias);
  return gatherBackward(hd.dinp, positions, weights, B, T, P, C);
}
