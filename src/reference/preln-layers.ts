// Float64 reference of src/model/preln-layers.ts: L pre-LN transformer layers (ViT / ViTMAE),
//   res1 = x + proj(Attn(LN1(x)));  res2 = res1 + fc2(GELU(fc1(LN2(res1))));  x ← res2
// and, with finalNorm, out = LN(x_L) (`${prefix}norm.*`). Forward and backward, composed from the
// per-op references, with the same parameter names as the GPU pass. Returns fresh gradients
// (the GPU pass accumulates; a test adds these to whatever its grads held).
// Not here: the post-LN BERT layers (passes.ts), dropout, any head.

import type { EncoderDims } from '../model/layout.ts';
import { attentionBackward, attentionForward } from './attention.ts';
import { geluBackward, geluForward } from './gelu.ts';
import { layernormBackward, layernormForward } from './layernorm.ts';
import { matmulBackward, matmulForward } from './matmul.ts';
import { addInto, Grads, paramLookup } from './passes.ts';

type Ln = ReturnType<typeof layernormForward>;

interface PrelnLayerActs {
  /** The layer's input x_l (B,T,C): the residual stream before it. */
  x: Float64Array;
  ln1: Ln;
  qkv: Float64Array;
  probs: Float64Array;
  att: Float64Array;
  res1: Float64Array;
  ln2: Ln;
  fc1pre: Float64Array;
  fc1: Float64Array;
}

/** What the backward needs from the forward. */
export interface PrelnCache {
  readonly kind: 'preln-layers';
  layers: PrelnLayerActs[];
  /** The last layer's residual output x_L (B,T,C). */
  last: Float64Array;
  /** The final LayerNorm of x_L, when finalNorm. */
  norm: Ln | null;
  /** (B,T) 1 = attend, 0 = padding key, as the attention reference takes it. */
  mask: Uint32Array;
}

function add(a: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! + b[i]!;
  return out;
}

/**
 * x (B,T,C), mask (B,T) (1 = attend, 0 = padding key) → out (B,T,C): `${prefix}norm.out` with
 * finalNorm, else the last layer's residual output.
 */
export function prelnLayersForward(
  params: Map<string, Float64Array>,
  prefix: string,
  d: EncoderDims,
  B: number,
  T: number,
  x: Float64Array,
  mask: Float64Array,
  eps: number,
  finalNorm: boolean,
): { out: Float64Array; cache: PrelnCache } {
  const { C, NH, FFN, L } = d;
  const BT = B * T;
  if (x.length !== BT * C) throw new Error(`prelnLayersForward: x has ${x.length} elements, expected B·T·C = ${BT * C}`);
  if (mask.length !== BT) throw new Error(`prelnLayersForward: mask has ${mask.length} elements, expected B·T = ${BT}`);
  const p = paramLookup(params);
  const m = Uint32Array.from(mask, (v) => (v !== 0 ? 1 : 0));
  const layers: PrelnLayerActs[] = [];
  let res = x;
  for (let l = 0; l < L; l++) {
    const n = (s: string) => p(`${prefix}l${l}.${s}`);
    const ln1 = layernormForward(res, n('ln1.w'), n('ln1.b'), BT, C, eps);
    const qkv = matmulForward(ln1.out, n('qkv.w'), n('qkv.b'), BT, C, 3 * C);
    const { out: att, probs } = attentionForward(qkv, m, B, T, C, NH);
    const proj = matmulForward(att, n('proj.w'), n('proj.b'), BT, C, C);
    const res1 = add(res, proj);
    const ln2 = layernormForward(res1, n('ln2.w'), n('ln2.b'), BT, C, eps);
    const fc1pre = matmulForward(ln2.out, n('fc1.w'), n('fc1.b'), BT, C, FFN);
    const fc1 = geluForward(fc1pre);
    const fc2 = matmulForward(fc1, n('fc2.w'), n('fc2.b'), BT, FFN, C);
    layers.push({ x: res, ln1, qkv, probs, att, res1, ln2, fc1pre, fc1 });
    res = add(res1, fc2);
  }
  const norm = finalNorm ? layernormForward(res, p(`${prefix}norm.w`), p(`${prefix}norm.b`), BT, C, eps) : null;
  return { out: norm ? norm.out : res, cache: { kind: 'preln-layers', layers, last: res, norm, mask: m } };
}

/**
 * Backward from dout (B,T,C) = d(out); returns d(x) and every parameter's gradient (fresh).
 * The residual stream's gradient g flows through each layer's identity and through its two
 * LayerNorms: g(res1) = g(res2) + LN2ᵀ(…); g(x) = g(res1) + LN1ᵀ(…) — the same sums the GPU pass
 * forms by accumulating both LayerNorms' dinp into one buffer.
 */
export function prelnLayersBackward(
  params: Map<string, Float64Array>,
  prefix: string,
  d: EncoderDims,
  B: number,
  T: number,
  cache: unknown,
  dout: Float64Array,
): { dx: Float64Array; grads: Map<string, Float64Array> } {
  const c = cache as PrelnCache;
  if (c?.kind !== 'preln-layers') throw new Error('prelnLayersBackward: cache is not from prelnLayersForward');
  const { C, NH, FFN, L } = d;
  const BT = B * T;
  if (dout.length !== BT * C) throw new Error(`prelnLayersBackward: dout has ${dout.length} elements, expected B·T·C = ${BT * C}`);
  const p = paramLookup(params);
  const g = new Grads();
  let dres: Float64Array;
  if (c.norm) {
    const bn = layernormBackward(dout, c.last, p(`${prefix}norm.w`), c.norm.mean, c.norm.rstd, BT, C);
    g.add(`${prefix}norm.w`, bn.dweight);
    g.add(`${prefix}norm.b`, bn.dbias);
    dres = bn.dinp;
  } else dres = dout.slice();
  for (let l = L - 1; l >= 0; l--) {
    const s = c.layers[l]!;
    const pre = `${prefix}l${l}.`;
    const n = (x: string) => p(pre + x);
    // res2 = res1 + fc2: d(fc2) = d(res2), and d(res2) reaches res1 unchanged (dres keeps it).
    const f2 = matmulBackward(dres, s.fc1, n('fc2.w'), BT, FFN, C);
    g.add(pre + 'fc2.w', f2.dweight);
    g.add(pre + 'fc2.b', f2.dbias);
    const f1 = matmulBackward(geluBackward(s.fc1pre, f2.dinp), s.ln2.out, n('fc1.w'), BT, C, FFN);
    g.add(pre + 'fc1.w', f1.dweight);
    g.add(pre + 'fc1.b', f1.dbias);
    const b2 = layernormBackward(f1.dinp, s.res1, n('ln2.w'), s.ln2.mean, s.ln2.rstd, BT, C);
    g.add(pre + 'ln2.w', b2.dweight);
    g.add(pre + 'ln2.b', b2.dbias);
    addInto(dres, b2.dinp); // now d(res1)
    // res1 = x + proj: d(proj) = d(res1), and d(res1) reaches x unchanged.
    const pr = matmulBackward(dres, s.att, n('proj.w'), BT, C, C);
    g.add(pre + 'proj.w', pr.dweight);
    g.add(pre + 'proj.b', pr.dbias);
    const dqkv = attentionBackward(pr.dinp, s.qkv, s.probs, c.mask, B, T, C, NH);
    const q = matmulBackward(dqkv, s.ln1.out, n('qkv.w'), BT, C, 3 * C);
    g.add(pre + 'qkv.w', q.dweight);
    g.add(pre + 'qkv.b', q.dbias);
    const b1 = layernormBackward(q.dinp, s.x, n('ln1.w'), s.ln1.mean, s.ln1.rstd, BT, C);
    g.add(pre + 'ln1.w', b1.dweight);
    g.add(pre + 'ln1.b', b1.dbias);
    addInto(dres, b1.dinp); // now d(x_l)
  }
  return { dx: dres, grads: g.map };
}
