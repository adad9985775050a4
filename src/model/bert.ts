// The BERT MLM on the GPU: plans the arena, prepares every op once, and records a training step
// (forward → loss → backward in exact reverse order → clip → AdamW) into one encoder; the masking
// stage (src/train/masking-stage.ts) records the masking before it, into the same encoder.
// Architecture: Hugging Face BertForMaskedLM (post-LN, learned positions, exact GELU, MLM head
// dense → GELU → LayerNorm → decoder tied to the token embedding + bias), head on masked rows only.
// What it does not do: choose batches, schedule the LR or read metrics (train/loop does).

import { Arena, type TensorRange } from '../gpu/arena.ts';
import type { Gpu } from '../gpu/device.ts';
import type { StepEncoder } from '../gpu/encoder.ts';
import type { RunConfig } from './config.ts';
import { maxPredictions } from './config.ts';
import { planModel, paramSpecs, POOLS, type RunShape, type TensorSpec } from './layout.ts';
import { prepareAdamW, prepareGradNorm, gradNormScratch } from './ops/adamw.ts';
import { attentionBackwardScratch, prepareAttentionBackward, prepareAttentionForward } from './ops/attention.ts';
import { createOpContext, type OpContext, type PreparedOp } from './ops/context.ts';
import { prepareCrossEntropy, prepareMlmMetrics } from './ops/crossentropy.ts';
import { embeddingBackwardScratch, prepareEmbeddingBackward, prepareEmbeddingForward } from './ops/embedding.ts';
import { prepareGatherBackward, prepareGatherForward } from './ops/gather.ts';
import { layernormBackwardScratch, prepareLayernormBackward, prepareLayernormForward } from './ops/layernorm.ts';
import { matmulBackwardScratch, prepareMatmulBackward, prepareMatmulForward, type MatmulShape } from './ops/matmul.ts';

type ScratchFn = () => TensorSpec[];

/** Collects scratch declarations, giving each distinct (op, shape) its own ranges. */
class ScratchPlan {
  readonly specs: TensorSpec[] = [];
  private byKey = new Map<string, string[]>();

  /** Declares scratch for one op instance; returns the names to look up after the build. */
  need(key: string, fn: ScratchFn): string[] {
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
}

export interface BertModel {
  readonly shape: RunShape;
  readonly arena: Arena;
  readonly ctx: OpContext;
  /** Tensor by name (params "emb.wte", grads "d:emb.wte", activations "l0.probs", ...). */
  t(name: string): TensorRange;
  uploadParams(params: Map<string, Float32Array>): void;
  /** (B,T) token ids and attention mask for the next recorded step or eval batch. */
  uploadBatch(tokens: Uint32Array, attnMask: Uint32Array): void;
  /** AdamW's 1-based step and learning rate for the next recorded optimizer step. */
  setStep(step: number, lr: number): void;
  /** The training step after masking wrote the inputs: clear grads, forward, loss, backward, clip, AdamW. */
  recordTrainStep(enc: StepEncoder): void;
  /** Pieces, for tests, eval and masking strategies. */
  recordClearGrads(enc: StepEncoder): void;
  /**
   * Embeddings and every layer (fills each layer's probs); no MLM head. On `inputs` (the masked
   * batch) by default, or on `tokens` (the unmasked batch, for attention-guided masking).
   */
  recordEncoderForward(enc: StepEncoder, ids?: 'inputs' | 'tokens'): void;
  /** Encoder + MLM head on the masked rows + cross-entropy + metrics. */
  recordForward(enc: StepEncoder): void;
  recordBackward(enc: StepEncoder): void;
  recordOptimizer(enc: StepEncoder): void;
  destroy(): void;
}

export async function createBert(gpu: Gpu, cfg: RunConfig, V: number): Promise<BertModel> {
  const { model, train } = cfg;
  const { C, NH, FFN, T, L, layerNormEps: eps } = model;
  const B = train.batch;
  const P = maxPredictions(cfg);
  const shape: RunShape = { model, V, B, P };
  const BT = B * T;
  const M = B * P;

  // ---- plan: scratch first (it depends only on shapes), then the whole arena ----
  const scratch = new ScratchPlan();
  const mmScratch = (s: MatmulShape, gelu: boolean) => scratch.need(`mm${gelu ? 'g' : ''}.${s.M}x${s.K}x${s.N}`, () => matmulBackwardScratch(s, { gelu }));
  const lnScratch = (R: number) => scratch.need(`ln.${R}x${C}`, () => layernormBackwardScratch({ R, C }));
  const attnShape = { B, T, C, NH };
  const embShape = { B, T, C, V };
  const basePlan = planModel(shape);
  const align = gpu.device.limits.minStorageBufferOffsetAlignment;
  const gradElems = basePlan.poolElements(POOLS.grads, align);
  const attnScratch = scratch.need('attn', () => attentionBackwardScratch(attnShape));
  const embScratch = scratch.need('emb', () => embeddingBackwardScratch(embShape));
  const normScratch = scratch.need('gradnorm', () => gradNormScratch({ N: gradElems }));
  const mm = {
    qkv: { M: BT, K: C, N: 3 * C },
    proj: { M: BT, K: C, N: C },
    fc1: { M: BT, K: C, N: FFN },
    fc2: { M: BT, K: FFN, N: C },
    dense: { M, K: C, N: C },
    decoder: { M, K: C, N: V },
  };
  const scr = {
    qkv: mmScratch(mm.qkv, false),
    proj: mmScratch(mm.proj, false),
    fc1: mmScratch(mm.fc1, true),
    fc2: mmScratch(mm.fc2, false),
    dense: mmScratch(mm.dense, true),
    decoder: mmScratch(mm.decoder, false),
    lnBT: lnScratch(BT),
    lnM: lnScratch(M),
  };
  const arena = Arena.build(gpu, planModel(shape, scratch.specs), 'bert');
  const ctx = createOpContext(gpu);
  const t = (name: string) => arena.get(name);
  const ts = (names: string[]) => names.map(t);
  const dpre = (names: string[]) => (names.length ? { dpre: t(names[0]!) } : {});

  // ---- prepare every op once (masking is not the model's: src/train/masking-stage.ts) ----
  const fwd: PreparedOp[] = [];
  const bwd: PreparedOp[] = [];
  const embedding = (ids: TensorRange) => prepareEmbeddingForward(ctx, { ids, wte: t('emb.wte'), wpe: t('emb.wpe'), wtt: t('emb.wtt'), out: t('emb.sum') }, embShape);
  fwd.push(await embedding(t('inputs')));
  // The same encoder on the unmasked tokens: only its first op differs.
  const embedTokens = await embedding(t('tokens'));
  fwd.push(
    await prepareLayernormForward(ctx, { inp: t('emb.sum'), weight: t('emb.ln.w'), bias: t('emb.ln.b'), out: t('emb.ln.out'), mean: t('emb.ln.mean'), rstd: t('emb.ln.rstd') }, { R: BT, C }, { eps }),
  );
  const layerBwd: PreparedOp[][] = [];
  for (let l = 0; l < L; l++) {
    const n = (s: string) => t(`l${l}.${s}`);
    const d = (s: string) => t(`d:l${l}.${s}`);
    const x = l === 0 ? t('emb.ln.out') : t(`l${l - 1}.ln2.out`);
    const dx = l === 0 ? t('d:emb.ln.out') : t(`d:l${l - 1}.ln2.out`);
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
    // Backward of this layer, in reverse. Residual sums need no copies: LN2's dinp lands in
    // d:ln1.out, which fc2's backward reads as d(fc2) = d(res2) before fc1's backward adds the
    // branch's share; LN1's dinp lands in dx the same way (see src/reference/bert.ts).
    const lb: PreparedOp[] = [];
    lb.push(
      await prepareLayernormBackward(
        ctx,
        { inp: n('res2'), weight: n('ln2.w'), mean: n('ln2.mean'), rstd: n('ln2.rstd'), dout: d('ln2.out'), dinp: d('ln1.out'), dweight: d('ln2.w'), dbias: d('ln2.b'), scratch: ts(scr.lnBT) },
        { R: BT, C },
      ),
    );
    lb.push(await prepareMatmulBackward(ctx, { inp: n('fc1.out'), weight: n('fc2.w'), dout: d('ln1.out'), dinp: d('fc1.out'), dweight: d('fc2.w'), dbias: d('fc2.b'), ...dpre(scr.fc2) }, mm.fc2));
    lb.push(
      await prepareMatmulBackward(
        ctx,
        { inp: n('ln1.out'), weight: n('fc1.w'), dout: d('fc1.out'), dinp: d('ln1.out'), dweight: d('fc1.w'), dbias: d('fc1.b'), pre: n('fc1.pre'), ...dpre(scr.fc1) },
        mm.fc1,
        { gelu: true },
      ),
    );
    lb.push(
      await prepareLayernormBackward(
        ctx,
        { inp: n('res1'), weight: n('ln1.w'), mean: n('ln1.mean'), rstd: n('ln1.rstd'), dout: d('ln1.out'), dinp: dx, dweight: d('ln1.w'), dbias: d('ln1.b'), scratch: ts(scr.lnBT) },
        { R: BT, C },
      ),
    );
    lb.push(await prepareMatmulBackward(ctx, { inp: n('att'), weight: n('proj.w'), dout: dx, dinp: d('att'), dweight: d('proj.w'), dbias: d('proj.b'), ...dpre(scr.proj) }, mm.proj));
    lb.push(await prepareAttentionBackward(ctx, { qkv: n('qkv'), mask: t('attn_mask'), probs: n('probs'), dout: d('att'), dqkv: d('qkv'), scratch: ts(attnScratch) }, attnShape));
    lb.push(await prepareMatmulBackward(ctx, { inp: x, weight: n('qkv.w'), dout: d('qkv'), dinp: dx, dweight: d('qkv.w'), dbias: d('qkv.b'), ...dpre(scr.qkv) }, mm.qkv));
    layerBwd.push(lb);
  }
  const xL = t(`l${L - 1}.ln2.out`);
  const headFwd: PreparedOp[] = [];
  headFwd.push(await prepareGatherForward(ctx, { x: xL, positions: t('positions'), rows: t('head.rows') }, { B, T, P, C }));
  headFwd.push(
    await prepareMatmulForward(ctx, { inp: t('head.rows'), weight: t('head.dense.w'), bias: t('head.dense.b'), out: t('head.dense.out'), pre: t('head.dense.pre') }, mm.dense, { gelu: true }),
  );
  headFwd.push(
    await prepareLayernormForward(
      ctx,
      { inp: t('head.dense.out'), weight: t('head.ln.w'), bias: t('head.ln.b'), out: t('head.ln.out'), mean: t('head.ln.mean'), rstd: t('head.ln.rstd') },
      { R: M, C },
      { eps },
    ),
  );
  headFwd.push(await prepareMatmulForward(ctx, { inp: t('head.ln.out'), weight: t('emb.wte'), bias: t('head.bias'), out: t('head.logits') }, mm.decoder));
  const lossOps: PreparedOp[] = [
    await prepareCrossEntropy(ctx, { logits: t('head.logits'), targets: t('targets'), weights: t('weights'), losses: t('head.losses'), correct: t('head.correct') }, { M, V }),
    await prepareMlmMetrics(ctx, { losses: t('head.losses'), correct: t('head.correct'), weights: t('weights'), metrics: t('metrics') }, { M }),
  ];

  // Head backward (cross-entropy left dlogits in head.logits).
  bwd.push(
    await prepareMatmulBackward(
      ctx,
      { inp: t('head.ln.out'), weight: t('emb.wte'), dout: t('head.logits'), dinp: t('d:head.ln.out'), dweight: t('d:emb.wte'), dbias: t('d:head.bias'), ...dpre(scr.decoder) },
      mm.decoder,
    ),
  );
  bwd.push(
    await prepareLayernormBackward(
      ctx,
      {
        inp: t('head.dense.out'),
        weight: t('head.ln.w'),
        mean: t('head.ln.mean'),
        rstd: t('head.ln.rstd'),
        dout: t('d:head.ln.out'),
        dinp: t('d:head.dense.out'),
        dweight: t('d:head.ln.w'),
        dbias: t('d:head.ln.b'),
        scratch: ts(scr.lnM),
      },
      { R: M, C },
    ),
  );
  bwd.push(
    await prepareMatmulBackward(
      ctx,
      {
        inp: t('head.rows'),
        weight: t('head.dense.w'),
        dout: t('d:head.dense.out'),
        dinp: t('d:head.rows'),
        dweight: t('d:head.dense.w'),
        dbias: t('d:head.dense.b'),
        pre: t('head.dense.pre'),
        ...dpre(scr.dense),
      },
      mm.dense,
      { gelu: true },
    ),
  );
  bwd.push(await prepareGatherBackward(ctx, { drows: t('d:head.rows'), positions: t('positions'), weights: t('weights'), dx: t(`d:l${L - 1}.ln2.out`) }, { B, T, P, C }));
  for (let l = L - 1; l >= 0; l--) bwd.push(...layerBwd[l]!);
  bwd.push(
    await prepareLayernormBackward(
      ctx,
      {
        inp: t('emb.sum'),
        weight: t('emb.ln.w'),
        mean: t('emb.ln.mean'),
        rstd: t('emb.ln.rstd'),
        dout: t('d:emb.ln.out'),
        dinp: t('d:emb.sum'),
        dweight: t('d:emb.ln.w'),
        dbias: t('d:emb.ln.b'),
        scratch: ts(scr.lnBT),
      },
      { R: BT, C },
    ),
  );
  bwd.push(
    await prepareEmbeddingBackward(ctx, { ids: t('inputs'), dout: t('d:emb.sum'), dwte: t('d:emb.wte'), dwpe: t('d:emb.wpe'), dwtt: t('d:emb.wtt'), scratch: ts(embScratch) }, embShape),
  );

  const params = arena.poolRange(POOLS.params);
  const firstPlain = paramSpecs(model, V).find((p) => !p.decay)!;
  const decayEnd = t(firstPlain.name).offset / 4;
  const gradNorm = await prepareGradNorm(ctx, { grads: arena.poolRange(POOLS.grads), partials: t(normScratch[0]!), gradnorm: t('gradnorm') }, { N: params.numel }, { maxNorm: train.maxGradNorm });
  const adamw = await prepareAdamW(
    ctx,
    { params, grads: arena.poolRange(POOLS.grads), m: arena.poolRange(POOLS.m), v: arena.poolRange(POOLS.v), gradnorm: t('gradnorm') },
    { N: params.numel, decayEnd },
    { beta1: train.beta1, beta2: train.beta2, eps: train.adamEps, weightDecay: train.weightDecay },
  );

  const run = (ops: PreparedOp[], enc: StepEncoder) => {
    for (const op of ops) op.record(enc);
  };
  const m: BertModel = {
    shape,
    arena,
    ctx,
    t,
    uploadParams(values) {
      for (const p of paramSpecs(model, V)) {
        const v = values.get(p.name);
        if (!v) throw new Error(`uploadParams: missing ${p.name}`);
        arena.write(p.name, v);
      }
    },
    uploadBatch(tokens, attnMask) {
      arena.write('tokens', tokens);
      arena.write('attn_mask', attnMask);
    },
    setStep(step, lr) {
      adamw.setStep(step + 1, lr);
    },
    recordClearGrads(enc) {
      arena.clearPool(enc.commandEncoder, POOLS.grads);
      arena.clearPool(enc.commandEncoder, POOLS.dacts);
    },
    recordEncoderForward(enc, ids = 'inputs') {
      if (ids === 'inputs') return run(fwd, enc);
      embedTokens.record(enc);
      run(fwd.slice(1), enc);
    },
    recordForward(enc) {
      run(fwd, enc);
      run(headFwd, enc);
      run(lossOps, enc);
    },
    recordBackward: (enc) => run(bwd, enc),
    recordOptimizer(enc) {
      gradNorm.record(enc);
      adamw.record(enc);
    },
    recordTrainStep(enc) {
      m.recordClearGrads(enc);
      m.recordForward(enc);
      m.recordBackward(enc);
      m.recordOptimizer(enc);
    },
    destroy() {
      arena.destroy();
      ctx.uniforms.destroy();
    },
  };
  return m;
}
