// The pieces a model is built from: embeddings, a stack of transformer layers, the MLM head and
// the optimizer, each as a *pass* (forward ops, backward ops in recording order). A piece is
// declared before the arena exists (it reserves its kernels' scratch by shape) and prepared after
// (its ops bind the arena's ranges by name), so a model plans all its memory at once.
// BERT is embeddings + layers + MLM head; ELECTRA is two of each (generator, discriminator).
// What it does not do: decide names or order of a model's tensors (layout.ts and the models do).

import type { Arena, TensorRange } from '../gpu/arena.ts';
import type { Gpu } from '../gpu/device.ts';
import type { StepEncoder } from '../gpu/step-encoder.ts';
import type { TrainConfig } from './config.ts';
import { POOLS, planSpecs, type EncoderDims, type ModelSpecs, type TensorSpec } from './layout.ts';
import { gradNormScratch, prepareAdamW, prepareGradNorm } from './ops/adamw.ts';
import { attentionBackwardScratch, prepareAttentionBackward, prepareAttentionForward } from './ops/attention.ts';
import type { OpContext, PreparedOp } from '../gpu/op-context.ts';
import { prepareCrossEntropy, prepareMlmMetrics } from './ops/crossentropy.ts';
import { embeddingBackwardScratch, prepareEmbeddingBackward, prepareEmbeddingForward } from './ops/embedding.ts';
import { prepareGatherBackward, prepareGatherForward } from './ops/gather.ts';
import { layernormBackwardScratch, prepareLayernormBackward, prepareLayernormForward } from './ops/layernorm.ts';
import { matmulBackwardScratch, prepareMatmulBackward, prepareMatmulForward, type MatmulShape } from './ops/matmul.ts';

type Lookup = (name: string) => TensorRange;
/** Where a piece finds its tensors by name: an arena, or a one-row plan over a model's parameters (bert.ts). */
export type TensorSource = Pick<Arena, 'get'>;
/** Binds a declared piece to the arena once it exists. */
export type Prepare<P, S extends TensorSource = TensorSource> = (ctx: OpContext, arena: S) => Promise<P>;

/** Collects scratch declarations, giving each distinct (op, shape) its own ranges. */
export class ScratchPlan {
  readonly specs: TensorSpec[] = [];
  private byKey = new Map<string, string[]>();

  /** Declares scratch for one op instance; returns the names to look up after the build. */
  need(key: string, fn: () => TensorSpec[]): string[] {
    let names = this.byKey.get(key);
    if (!names) {
      names = fn().map((t) => {
        const name = `${key}/${t.name}`;
        this.specs.push({ ...t, name });
        return name;
      });
      this.byKey.set(key, names);
    }
    return names;
  }

  matmul(s: MatmulShape, gelu: boolean): string[] {
    return this.need(`mm${gelu ? 'g' : ''}.${s.M}x${s.K}x${s.N}`, () => matmulBackwardScratch(s, { gelu }));
  }

  layernorm(R: number, C: number): string[] {
    return this.need(`ln.${R}x${C}`, () => layernormBackwardScratch({ R, C }));
  }
}

/** Forward ops, and backward ops in the order they are recorded (reverse of the forward). */
export interface Pass {
  fwd: PreparedOp[];
  bwd: PreparedOp[];
}

export function run(ops: PreparedOp[], enc: StepEncoder): void {
  for (const op of ops) op.record(enc);
}

const ranges = (t: Lookup, names: string[]) => names.map(t);
const dpre = (t: Lookup, names: string[]) => (names.length ? { dpre: t(names[0]!) } : {});

/** Embeddings on the given id tensors (`embed[ids]`), their LayerNorm, and backward (on ids[0]). */
export interface EmbeddingPass {
  embed: Record<string, PreparedOp>;
  ln: PreparedOp;
  bwd: PreparedOp[];
}

/**
 * Token + position + type embeddings (params `${params}wte` …, width E) of `ids` (B,T) → LayerNorm
 * → `${acts}ln.out`. Backward accumulates into the embedding grads, so two passes sharing the
 * parameters (ELECTRA's generator and discriminator) sum their gradients.
 */
export function embeddingPass(sp: ScratchPlan, o: { params: string; acts: string; ids: string[]; B: number; T: number; E: number; V: number; eps: number; forwardOnly?: boolean }): Prepare<EmbeddingPass> {
  const { B, T, E, V, eps, params: p, acts: a } = o;
  const shape = { B, T, C: E, V };
  const embScratch = sp.need(`emb.${B}x${T}x${E}x${V}`, () => embeddingBackwardScratch(shape));
  const lnScratch = sp.layernorm(B * T, E);
  return async (ctx, arena) => {
    const t: Lookup = (n) => arena.get(n);
    const embed: Record<string, PreparedOp> = {};
    for (const ids of o.ids) embed[ids] = await prepareEmbeddingForward(ctx, { ids: t(ids), wte: t(`${p}wte`), wpe: t(`${p}wpe`), wtt: t(`${p}wtt`), out: t(`${a}sum`) }, shape);
    const ln = await prepareLayernormForward(
      ctx,
      { inp: t(`${a}sum`), weight: t(`${p}ln.w`), bias: t(`${p}ln.b`), out: t(`${a}ln.out`), mean: t(`${a}ln.mean`), rstd: t(`${a}ln.rstd`) },
      { R: B * T, C: E },
      { eps },
    );
    if (o.forwardOnly) return { embed, ln, bwd: [] };
    const bwd = [
      await prepareLayernormBackward(
        ctx,
        {
          inp: t(`${a}sum`),
          weight: t(`${p}ln.w`),
          mean: t(`${a}ln.mean`),
          rstd: t(`${a}ln.rstd`),
          dout: t(`d:${a}ln.out`),
          dinp: t(`d:${a}sum`),
          dweight: t(`d:${p}ln.w`),
          dbias: t(`d:${p}ln.b`),
          scratch: ranges(t, lnScratch),
        },
        { R: B * T, C: E },
      ),
      await prepareEmbeddingBackward(ctx, { ids: t(o.ids[0]!), dout: t(`d:${a}sum`), dwte: t(`d:${p}wte`), dwpe: t(`d:${p}wpe`), dwtt: t(`d:${p}wtt`), scratch: ranges(t, embScratch) }, shape),
    ];
    return { embed, ln, bwd };
  };
}

/** A linear map on every token, out = x·Wᵀ + b (ELECTRA's embeddings_project), and its backward. */
export function linearPass(sp: ScratchPlan, o: { w: string; b: string; x: string; out: string; M: number; K: number; N: number; forwardOnly?: boolean }): Prepare<Pass> {
  const s = { M: o.M, K: o.K, N: o.N };
  const scr = o.forwardOnly ? [] : sp.matmul(s, false);
  return async (ctx, arena) => {
    const t: Lookup = (n) => arena.get(n);
    return {
      fwd: [await prepareMatmulForward(ctx, { inp: t(o.x), weight: t(o.w), bias: t(o.b), out: t(o.out) }, s)],
      bwd: o.forwardOnly ? [] : [await prepareMatmulBackward(ctx, { inp: t(o.x), weight: t(o.w), dout: t(`d:${o.out}`), dinp: t(`d:${o.x}`), dweight: t(`d:${o.w}`), dbias: t(`d:${o.b}`), ...dpre(t, scr) }, s)],
    };
  };
}

/**
 * L post-LN transformer layers (params and activations `${prefix}l0.…`) on x (B,T,C) with
 * gradient dx; the output is `${prefix}l{L-1}.ln2.out`.
 */
export function layersPass(sp: ScratchPlan, o: { prefix: string; dims: EncoderDims; B: number; T: number; eps: number; x: string; dx: string; forwardOnly?: boolean }): Prepare<Pass> {
  const { B, T, eps, prefix } = o;
  const { C, NH, FFN, L } = o.dims;
  const BT = B * T;
  const mm = { qkv: { M: BT, K: C, N: 3 * C }, proj: { M: BT, K: C, N: C }, fc1: { M: BT, K: C, N: FFN }, fc2: { M: BT, K: FFN, N: C } };
  const attnShape = { B, T, C, NH };
  const scr = { qkv: sp.matmul(mm.qkv, false), proj: sp.matmul(mm.proj, false), fc1: sp.matmul(mm.fc1, true), fc2: sp.matmul(mm.fc2, false), ln: sp.layernorm(BT, C) };
  const attnScratch = sp.need(`attn.${B}x${T}x${C}x${NH}`, () => attentionBackwardScratch(attnShape));
  return async (ctx, arena) => {
    const t: Lookup = (n) => arena.get(n);
    const fwd: PreparedOp[] = [];
    const layerBwd: PreparedOp[][] = [];
    for (let l = 0; l < L; l++) {
      const n = (s: string) => t(`${prefix}l${l}.${s}`);
      const d = (s: string) => t(`d:${prefix}l${l}.${s}`);
      const x = l === 0 ? t(o.x) : t(`${prefix}l${l - 1}.ln2.out`);
      fwd.push(await prepareMatmulForward(ctx, { inp: x, weight: n('qkv.w'), bias: n('qkv.b'), out: n('qkv') }, mm.qkv));
      fwd.push(await prepareAttentionForward(ctx, { qkv: n('qkv'), mask: t('attn_mask'), probs: n('probs'), out: n('att') }, attnShape));
      fwd.push(await prepareMatmulForward(ctx, { inp: n('att'), weight: n('proj.w'), bias: n('proj.b'), out: n('proj') }, mm.proj));
      fwd.push(
        await prepareLayernormForward(
          ctx,
          { inp: n('res1'), weight: n('ln1.w'), bias: n('ln1.b'), out: n('ln1.out'), mean: n('ln1.mean'), rstd: n('ln1.rstd'), residual: { a: x, b: n('proj') } },
          { R: BT, C },
          { eps },
        ),
      );
      fwd.push(await prepareMatmulForward(ctx, { inp: n('ln1.out'), weight: n('fc1.w'), bias: n('fc1.b'), out: n('fc1.out'), pre: n('fc1.pre') }, mm.fc1, { gelu: true }));
      fwd.push(await prepareMatmulForward(ctx, { inp: n('fc1.out'), weight: n('fc2.w'), bias: n('fc2.b'), out: n('fc2') }, mm.fc2));
      fwd.push(
        await prepareLayernormForward(
          ctx,
          { inp: n('res2'), weight: n('ln2.w'), bias: n('ln2.b'), out: n('ln2.out'), mean: n('ln2.mean'), rstd: n('ln2.rstd'), residual: { a: n('ln1.out'), b: n('fc2') } },
          { R: BT, C },
          { eps },
        ),
      );
      if (o.forwardOnly) continue;
      const dx = l === 0 ? t(o.dx) : t(`d:${prefix}l${l - 1}.ln2.out`);
      // Backward of this layer, in reverse. Residual sums need no copies: LN2's dinp lands in
      // d:ln1.out, which fc2's backward reads as d(fc2) = d(res2) before fc1's backward adds the
      // branch's share; LN1's dinp lands in dx the same way (see src/reference/bert.ts).
      const lnScr = ranges(t, scr.ln);
      layerBwd.push([
        await prepareLayernormBackward(
          ctx,
          { inp: n('res2'), weight: n('ln2.w'), mean: n('ln2.mean'), rstd: n('ln2.rstd'), dout: d('ln2.out'), dinp: d('ln1.out'), dweight: d('ln2.w'), dbias: d('ln2.b'), scratch: lnScr },
          { R: BT, C },
        ),
        await prepareMatmulBackward(ctx, { inp: n('fc1.out'), weight: n('fc2.w'), dout: d('ln1.out'), dinp: d('fc1.out'), dweight: d('fc2.w'), dbias: d('fc2.b'), ...dpre(t, scr.fc2) }, mm.fc2),
        await prepareMatmulBackward(
          ctx,
          { inp: n('ln1.out'), weight: n('fc1.w'), dout: d('fc1.out'), dinp: d('ln1.out'), dweight: d('fc1.w'), dbias: d('fc1.b'), pre: n('fc1.pre'), ...dpre(t, scr.fc1) },
          mm.fc1,
          { gelu: true },
        ),
        await prepareLayernormBackward(
          ctx,
          { inp: n('res1'), weight: n('ln1.w'), mean: n('ln1.mean'), rstd: n('ln1.rstd'), dout: d('ln1.out'), dinp: dx, dweight: d('ln1.w'), dbias: d('ln1.b'), scratch: lnScr },
          { R: BT, C },
        ),
        await prepareMatmulBackward(ctx, { inp: n('att'), weight: n('proj.w'), dout: dx, dinp: d('att'), dweight: d('proj.w'), dbias: d('proj.b'), ...dpre(t, scr.proj) }, mm.proj),
        await prepareAttentionBackward(ctx, { qkv: n('qkv'), mask: t('attn_mask'), probs: n('probs'), dout: d('att'), dqkv: d('qkv'), scratch: ranges(t, attnScratch) }, attnShape),
        await prepareMatmulBackward(ctx, { inp: x, weight: n('qkv.w'), dout: d('qkv'), dinp: dx, dweight: d('qkv.w'), dbias: d('qkv.b'), ...dpre(t, scr.qkv) }, mm.qkv),
      ]);
    }
    return { fwd, bwd: layerBwd.reverse().flat() };
  };
}

/** The MLM head's forward (to logits), its loss + metrics, and its backward (from dlogits). */
export interface HeadPass extends Pass {
  loss: PreparedOp[];
}

/**
 * MLM head on the B·P masked rows of x (B,T,C): gather → dense (C→E) + GELU → LayerNorm → decoder
 * tied to `wte` (V,E) + bias; cross-entropy leaves dlogits in `${acts}logits` and fills `metrics`.
 */
export function mlmHeadPass(
  sp: ScratchPlan,
  o: { params: string; acts: string; x: string; wte: string; metrics: string; B: number; T: number; P: number; C: number; E: number; V: number; eps: number; forwardOnly?: boolean },
): Prepare<HeadPass> {
  const { params: p, acts: a, B, T, P, C, E, V, eps } = o;
  const M = B * P;
  const mm = { dense: { M, K: C, N: E }, decoder: { M, K: E, N: V } };
  const scr = { dense: sp.matmul(mm.dense, true), decoder: sp.matmul(mm.decoder, false), ln: sp.layernorm(M, E) };
  return async (ctx, arena) => {
    const t: Lookup = (n) => arena.get(n);
    const fwd = [
      await prepareGatherForward(ctx, { x: t(o.x), positions: t('positions'), rows: t(`${a}rows`) }, { B, T, P, C }),
      await prepareMatmulForward(ctx, { inp: t(`${a}rows`), weight: t(`${p}dense.w`), bias: t(`${p}dense.b`), out: t(`${a}dense.out`), pre: t(`${a}dense.pre`) }, mm.dense, { gelu: true }),
      await prepareLayernormForward(
        ctx,
        { inp: t(`${a}dense.out`), weight: t(`${p}ln.w`), bias: t(`${p}ln.b`), out: t(`${a}ln.out`), mean: t(`${a}ln.mean`), rstd: t(`${a}ln.rstd`) },
        { R: M, C: E },
        { eps },
      ),
      await prepareMatmulForward(ctx, { inp: t(`${a}ln.out`), weight: t(o.wte), bias: t(`${p}bias`), out: t(`${a}logits`) }, mm.decoder),
    ];
    if (o.forwardOnly) return { fwd, loss: [], bwd: [] };
    const loss = [
      await prepareCrossEntropy(ctx, { logits: t(`${a}logits`), targets: t('targets'), weights: t('weights'), losses: t(`${a}losses`), correct: t(`${a}correct`) }, { M, V }),
      await prepareMlmMetrics(ctx, { losses: t(`${a}losses`), correct: t(`${a}correct`), weights: t('weights'), metrics: t(o.metrics) }, { M }),
    ];
    const bwd = [
      await prepareMatmulBackward(
        ctx,
        { inp: t(`${a}ln.out`), weight: t(o.wte), dout: t(`${a}logits`), dinp: t(`d:${a}ln.out`), dweight: t(`d:${o.wte}`), dbias: t(`d:${p}bias`), ...dpre(t, scr.decoder) },
        mm.decoder,
      ),
      await prepareLayernormBackward(
        ctx,
        {
          inp: t(`${a}dense.out`),
          weight: t(`${p}ln.w`),
          mean: t(`${a}ln.mean`),
          rstd: t(`${a}ln.rstd`),
          dout: t(`d:${a}ln.out`),
          dinp: t(`d:${a}dense.out`),
          dweight: t(`d:${p}ln.w`),
          dbias: t(`d:${p}ln.b`),
          scratch: ranges(t, scr.ln),
        },
        { R: M, C: E },
      ),
      await prepareMatmulBackward(
        ctx,
        {
          inp: t(`${a}rows`),
          weight: t(`${p}dense.w`),
          dout: t(`d:${a}dense.out`),
          dinp: t(`d:${a}rows`),
          dweight: t(`d:${p}dense.w`),
          dbias: t(`d:${p}dense.b`),
          pre: t(`${a}dense.pre`),
          ...dpre(t, scr.dense),
        },
        mm.dense,
        { gelu: true },
      ),
      await prepareGatherBackward(ctx, { drows: t(`d:${a}rows`), positions: t('positions'), weights: t('weights'), dx: t(`d:${o.x}`) }, { B, T, P, C }),
    ];
    return { fwd, loss, bwd };
  };
}

export interface OptimizerPass {
  /** Global grad-norm clip, then AdamW over the whole parameter pool. */
  record(enc: StepEncoder): void;
  /** AdamW's 1-based step and learning rate for the next recorded optimizer step. */
  setStep(step1: number, lr: number): void;
}

/**
 * Grad-norm clip + one AdamW dispatch over the parameter pool; decayed parameters come first in
 * the layout (joinParts), so weight decay needs one boundary. Declare it after everything else
 * has declared its scratch.
 */
export function optimizerPass(sp: ScratchPlan, gpu: Gpu, specs: ModelSpecs, train: TrainConfig): Prepare<OptimizerPass, Arena> {
  const align = gpu.device.limits.minStorageBufferOffsetAlignment;
  const gradElems = planSpecs(specs).poolElements(POOLS.grads, align);
  const normScratch = sp.need('gradnorm', () => gradNormScratch({ N: gradElems }));
  return async (ctx, arena) => {
    const params = arena.poolRange(POOLS.params);
    const grads = arena.poolRange(POOLS.grads);
    const firstPlain = specs.params.find((p) => !p.decay)!;
    const decayEnd = arena.get(firstPlain.name).offset / 4;
    const gradNorm = await prepareGradNorm(ctx, { grads, partials: arena.get(normScratch[0]!), gradnorm: arena.get('gradnorm') }, { N: params.numel }, { maxNorm: train.maxGradNorm });
    const adamw = await prepareAdamW(
      ctx,
      { params, grads, m: arena.poolRange(POOLS.m), v: arena.poolRange(POOLS.v), gradnorm: arena.get('gradnorm') },
      { N: params.numel, decayEnd },
      { beta1: train.beta1, beta2: train.beta2, eps: train.adamEps, weightDecay: train.weightDecay },
    );
    return {
      record(enc) {
        gradNorm.record(enc);
        adamw.record(enc);
      },
      setStep: (step1, lr) => adamw.setStep(step1, lr),
    };
  };
}
