// L pre-LN transformer layers (ViT / ViTMAE: the MAE encoder and decoder) as a pass, with their
// parameter, activation and activation-gradient tables. Per layer l, on the residual stream x_l:
//   res1 = x_l + proj(Attn(LN1(x_l)));  res2 = res1 + fc2(GELU(fc1(LN2(res1))));  x_{l+1} = res2
// and, with finalNorm, norm.out = LN(x_L). Built from the post-LN ops: every residual add is the
// fused residual input of the LayerNorm that reads the sum (LN2 writes res1; the next layer's LN1,
// or the final norm, writes res2); without finalNorm one axpby writes the last res2.
// Float64 reference: src/reference/preln-layers.ts. Not here: the post-LN BERT layers
// (passes.ts), anything before x or after the output, dropout.

import type { TensorRange } from '../gpu/arena.ts';
import type { PreparedOp } from '../gpu/op-context.ts';
import { f32Tensor as f, gradTensor, layerActs, layerParams, plainParam as b, type EncoderDims, type ParamParts, type TensorSpec } from './layout.ts';
import { attentionBackwardScratch, prepareAttentionBackward, prepareAttentionForward } from './ops/attention.ts';
import { prepareAxpby } from './ops/elementwise.ts';
import { prepareLayernormBackward, prepareLayernormForward } from './ops/layernorm.ts';
import { prepareMatmulBackward, prepareMatmulForward } from './ops/matmul.ts';
import type { Pass, Prepare, ScratchPlan } from './passes.ts';

function checkDims(d: EncoderDims): void {
  if (!(d.L >= 1)) throw new Error(`pre-LN layers: L must be ≥ 1, got ${d.L}`);
}

/** Name of the stack's output activation (its gradient is `d:` + it): `${prefix}norm.out` with finalNorm, else the last layer's residual output. */
export function prelnOutput(prefix: string, dims: EncoderDims, finalNorm: boolean): string {
  checkDims(dims);
  return finalNorm ? `${prefix}norm.out` : `${prefix}l${dims.L - 1}.res2`;
}

/**
 * Parameters: per layer `${prefix}l{l}.ln1.w|b` (before attention), `qkv.w` (3C,C) `qkv.b`,
 * `proj.w` (C,C) `proj.b`, `ln2.w|b` (before the MLP), `fc1.w` (FFN,C) `fc1.b`, `fc2.w` (C,FFN)
 * `fc2.b`; with finalNorm `${prefix}norm.w|b`. Matrices decay; LayerNorms and biases do not.
 */
export function prelnLayerParams(prefix: string, d: EncoderDims, finalNorm: boolean): ParamParts {
  checkDims(d);
  // The same tensors as the post-LN layers; only where the LayerNorms sit differs.
  const parts = layerParams(prefix, d);
  if (finalNorm) parts.plain.push(b(`${prefix}norm.w`, [d.C], 'ones'), b(`${prefix}norm.b`, [d.C]));
  return parts;
}

/**
 * Activations for batch B, length T, per layer `${prefix}l{l}.` ln1.out|mean|rstd,
 * qkv, probs (B,NH,T,T), att, proj, res1 (x + proj), ln2.out|mean|rstd, fc1.pre, fc1.out, fc2,
 * res2 (res1 + fc2: the layer's output, the next layer's input, the hidden state a probe reads);
 * with finalNorm `${prefix}norm.out|mean|rstd`. The input x is the caller's.
 */
export function prelnLayerActs(prefix: string, d: EncoderDims, B: number, T: number, finalNorm: boolean): TensorSpec[] {
  checkDims(d);
  // The post-LN layers' activation set (res1, res2 are the residual sums here too).
  const specs = layerActs(prefix, d, B, T);
  if (finalNorm) specs.push(f(`${prefix}norm.out`, [B, T, d.C]), f(`${prefix}norm.mean`, [B * T]), f(`${prefix}norm.rstd`, [B * T]));
  return specs;
}

/**
 * Gradients of the activations backward propagates through (the dacts pool: zeroed every step):
 * per layer d:ln1.out, d:qkv, d:att, d:ln2.out, d:fc1.out, and the output's gradient
 * `d:${prelnOutput(…)}`, which the caller's head writes or accumulates into. The residual stream's
 * gradient needs no tensor of its own: it lives in the caller's dx (see prelnLayersPass).
 */
export function prelnLayerGradSpecs(prefix: string, d: EncoderDims, B: number, T: number, finalNorm: boolean): TensorSpec[] {
  checkDims(d);
  const { C, FFN, L } = d;
  const specs: TensorSpec[] = [];
  for (let l = 0; l < L; l++) {
    const p = `${prefix}l${l}.`;
    specs.push(gradTensor(`${p}ln1.out`, [B, T, C]), gradTensor(`${p}qkv`, [B, T, 3 * C]), gradTensor(`${p}att`, [B, T, C]), gradTensor(`${p}ln2.out`, [B, T, C]), gradTensor(`${p}fc1.out`, [B, T, FFN]));
  }
  specs.push(gradTensor(prelnOutput(prefix, d, finalNorm), [B, T, C]));
  return specs;
}

/**
 * L pre-LN layers on x (B,T,C) attending under `mask` ((B,T) u32, 1 = real key, 0 = padding key);
 * then, with finalNorm, out = LN(x_L) (`${prefix}norm.*`). The output is prelnOutput(…).
 *
 * Backward contract: parameter grads accumulate (+=). `dx` (B,T,C) must be ZERO when the backward
 * starts, and `d:${output}` and the pass's other `d:` tensors too (clearing the dacts pool does it):
 * dx is the residual stream's gradient accumulator through every layer, as in layersPass: each
 * LayerNorm backward adds its dinp into it (+=) and the next matmul backward reads it as the
 * residual's gradient. It ends holding d(x). Another consumer of x must add its share to dx after
 * this backward, not before.
 */
export function prelnLayersPass(
  sp: ScratchPlan,
  o: { prefix: string; dims: EncoderDims; B: number; T: number; eps: number; x: string; dx: string; mask: string; finalNorm: boolean; forwardOnly?: boolean },
): Prepare<Pass> {
  const { B, T, eps, prefix, finalNorm } = o;
  checkDims(o.dims);
  const { C, NH, FFN, L } = o.dims;
  const BT = B * T;
  const mm = { qkv: { M: BT, K: C, N: 3 * C }, proj: { M: BT, K: C, N: C }, fc1: { M: BT, K: C, N: FFN }, fc2: { M: BT, K: FFN, N: C } };
  const attnShape = { B, T, C, NH };
  const lnShape = { R: BT, C };
  const scr = { qkv: sp.matmul(mm.qkv, false), proj: sp.matmul(mm.proj, false), fc1: sp.matmul(mm.fc1, true), fc2: sp.matmul(mm.fc2, false), ln: sp.layernorm(BT, C) };
  const attnScratch = sp.need(`attn.${B}x${T}x${C}x${NH}`, () => attentionBackwardScratch(attnShape));
  const output = prelnOutput(prefix, o.dims, finalNorm);
  return async (ctx, arena) => {
    const t = (name: string): TensorRange => arena.get(name);
    const dpre = (names: string[]) => (names.length ? { dpre: t(names[0]!) } : {});
    const mask = t(o.mask);
    const lnScr = scr.ln.map(t);
    /** LayerNorm `${ln}` of `inp`; with `residual`, inp = a + b is written first (the fused add). */
    const layernorm = (ln: string, inp: TensorRange, residual?: { a: TensorRange; b: TensorRange }) =>
      prepareLayernormForward(ctx, { inp, weight: t(`${ln}.w`), bias: t(`${ln}.b`), out: t(`${ln}.out`), mean: t(`${ln}.mean`), rstd: t(`${ln}.rstd`), ...(residual ? { residual } : {}) }, lnShape, { eps });
    /** Accumulates LN `${ln}`'s dinp into dres (the residual stream's gradient); params from `${ln}.w|b`. */
    const layernormBack = (ln: string, inp: TensorRange, dres: TensorRange) =>
      prepareLayernormBackward(ctx, { inp, weight: t(`${ln}.w`), mean: t(`${ln}.mean`), rstd: t(`${ln}.rstd`), dout: t(`d:${ln}.out`), dinp: dres, dweight: t(`d:${ln}.w`), dbias: t(`d:${ln}.b`), scratch: lnScr }, lnShape);

    const fwd: PreparedOp[] = [];
    const layerBwd: PreparedOp[][] = [];
    for (let l = 0; l < L; l++) {
      const p = `${prefix}l${l}.`;
      const n = (s: string) => t(p + s);
      const d = (s: string) => t(`d:${p}${s}`);
      // Layer l's input x_l: x, or the previous layer's res2, which this LN1 writes (fused add).
      const q = `${prefix}l${l - 1}.`;
      const x = l === 0 ? t(o.x) : t(`${q}res2`);
      fwd.push(await layernorm(`${p}ln1`, x, l === 0 ? undefined : { a: t(`${q}res1`), b: t(`${q}fc2`) }));
      fwd.push(await prepareMatmulForward(ctx, { inp: n('ln1.out'), weight: n('qkv.w'), bias: n('qkv.b'), out: n('qkv') }, mm.qkv));
      fwd.push(await prepareAttentionForward(ctx, { qkv: n('qkv'), mask, probs: n('probs'), out: n('att') }, attnShape));
      fwd.push(await prepareMatmulForward(ctx, { inp: n('att'), weight: n('proj.w'), bias: n('proj.b'), out: n('proj') }, mm.proj));
      fwd.push(await layernorm(`${p}ln2`, n('res1'), { a: x, b: n('proj') }));
      fwd.push(await prepareMatmulForward(ctx, { inp: n('ln2.out'), weight: n('fc1.w'), bias: n('fc1.b'), out: n('fc1.out'), pre: n('fc1.pre') }, mm.fc1, { gelu: true }));
      fwd.push(await prepareMatmulForward(ctx, { inp: n('fc1.out'), weight: n('fc2.w'), bias: n('fc2.b'), out: n('fc2') }, mm.fc2));
      if (o.forwardOnly) continue;
      // Backward of this layer, in reverse, with dx holding g = d(res2) on entry. fc2 reads g as
      // d(fc2) before LN2 adds its dinp, which makes dx d(res1) = g + LN2ᵀ(…) (the residual's
      // identity costs nothing); proj reads that, then LN1 adds its dinp: dx = d(x_l).
      const dres = t(o.dx);
      layerBwd.push([
        await prepareMatmulBackward(ctx, { inp: n('fc1.out'), weight: n('fc2.w'), dout: dres, dinp: d('fc1.out'), dweight: d('fc2.w'), dbias: d('fc2.b'), ...dpre(scr.fc2) }, mm.fc2),
        await prepareMatmulBackward(
          ctx,
          { inp: n('ln2.out'), weight: n('fc1.w'), dout: d('fc1.out'), dinp: d('ln2.out'), dweight: d('fc1.w'), dbias: d('fc1.b'), pre: n('fc1.pre'), ...dpre(scr.fc1) },
          mm.fc1,
          { gelu: true },
        ),
        await layernormBack(`${p}ln2`, n('res1'), dres),
        await prepareMatmulBackward(ctx, { inp: n('att'), weight: n('proj.w'), dout: dres, dinp: d('att'), dweight: d('proj.w'), dbias: d('proj.b'), ...dpre(scr.proj) }, mm.proj),
        await prepareAttentionBackward(ctx, { qkv: n('qkv'), mask, probs: n('probs'), dout: d('att'), dqkv: d('qkv'), scratch: attnScratch.map(t) }, attnShape),
        await prepareMatmulBackward(ctx, { inp: n('ln1.out'), weight: n('qkv.w'), dout: d('qkv'), dinp: d('ln1.out'), dweight: d('qkv.w'), dbias: d('qkv.b'), ...dpre(scr.qkv) }, mm.qkv),
        await layernormBack(`${p}ln1`, x, dres),
      ]);
    }
    // The last residual sum x_L = res1 + fc2: written by the final norm's fused add, else by axpby.
    const q = `${prefix}l${L - 1}.`;
    const last = t(`${q}res2`);
    if (finalNorm) fwd.push(await layernorm(`${prefix}norm`, last, { a: t(`${q}res1`), b: t(`${q}fc2`) }));
    else fwd.push(await prepareAxpby(ctx, t(`${q}res1`), t(`${q}fc2`), last, 1, 1));
    if (o.forwardOnly) return { fwd, bwd: [] };
    // Seed dx (zero on entry) with d(x_L): the final norm's dinp (+=), or a copy of the caller's
    // d(output) (axpby cannot add in place: its out may alias no input; 0·x_L adds nothing).
    const seed = finalNorm ? await layernormBack(`${prefix}norm`, last, t(o.dx)) : await prepareAxpby(ctx, t(`d:${output}`), last, t(o.dx), 1, 0);
    return { fwd, bwd: [seed, ...layerBwd.reverse().flat()] };
  };
}
