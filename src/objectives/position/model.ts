// Position prediction (MP3) on the GPU: one command buffer per step records
//   context mask (a seeded 1 − η of each row's tokens become the keys and values: attn_mask)
//   → embeddings of the unmasked tokens with no position table → the encoder (every token a
//   query, only context tokens keys) → linear head C → T → position error (reads the logits)
//   → cross-entropy over the T positions at every real token → backward → clip → AdamW.
// The masking lab still runs before it (the session drives every objective alike) but nothing
// here reads its output. Probes, attention-guided scoring and the probe view run the encoder with
// every token as context (recordEncoderForward), as MP3 does after pretraining.
import type { Gpu } from '../../gpu/device.ts';
import type { BertModel } from '../../model/bert.ts';
import { sharedMembers } from '../../model/bert.ts';
import { maxPredictions, type RunConfig } from '../../model/config.ts';
import { planSpecs } from '../../model/layout.ts';
import { prepareCrossEntropy, prepareMlmMetrics } from '../../model/ops/crossentropy.ts';
import { prepareMatmulBackward, prepareMatmulForward } from '../../model/ops/matmul.ts';
import { prepareContextMask, preparePositionError } from '../../model/ops/position.ts';
import { embeddingPass, layersPass, optimizerPass, run, ScratchPlan } from '../../model/passes.ts';
import { opContext } from '../../shaders/index.ts';
import { objectiveParams } from '../registry.ts';
import { positionSpecs } from './layout.ts';
import { POSITION } from './spec.ts';
import { createModelArena } from '../../model/run-memory.ts';

/** Context-mask steps at and above this are eval batches (training never gets there). */
const EVAL_CONTEXT_STEP = 0x8000_0000;
/** The context mask's seed for a run seed: salted, so it is not the masking lab's hash4(seed, step, b, t). */
export function contextSeed(runSeed: number): number {
  return (runSeed ^ 0x5bd1e995) >>> 0;
}

export async function createPositionModel(gpu: Gpu, cfg: RunConfig, V: number): Promise<BertModel> {
  const { model, train } = cfg;
  const { T, L, C, layerNormEps: eps } = model;
  const B = train.batch;
  const P = maxPredictions(cfg);
  const BT = B * T;
  const eta = Number(objectiveParams(cfg, POSITION).eta);
  const specs = positionSpecs(model, V, B, P);
  const head = { M: BT, K: C, N: T };

  const sp = new ScratchPlan();
  const embP = embeddingPass(sp, { params: 'emb.', acts: 'emb.', ids: ['tokens'], B, T, E: C, V, eps });
  const layersP = layersPass(sp, { prefix: '', dims: model, B, T, eps, x: 'emb.ln.out', dx: 'd:emb.ln.out' });
  const headScratch = sp.matmul(head, false);
  const optP = optimizerPass(sp, gpu, specs, train);
  const arena = await createModelArena(gpu, cfg, V, planSpecs(specs, sp.specs), 'position');
  const ctx = opContext(gpu);
  const t = (n: string) => arena.get(n);
  const emb = await embP(ctx, arena);
  const layers = await layersP(ctx, arena);
  const opt = await optP(ctx, arena);
  const x = `l${L - 1}.ln2.out`;
  const context = await prepareContextMask(ctx, { real: t('pos.real'), ctx: t('attn_mask') }, { B, T }, { seed: contextSeed(train.seed), eta });
  const headFwd = await prepareMatmulForward(ctx, { inp: t(x), weight: t('pos.head.w'), bias: t('pos.head.b'), out: t('pos.logits') }, head);
  const error = await preparePositionError(ctx, { logits: t('pos.logits'), targets: t('pos.targets'), weights: t('pos.weights'), out: t('pos.error') }, { M: BT, N: T });
  const loss = [
    await prepareCrossEntropy(ctx, { logits: t('pos.logits'), targets: t('pos.targets'), weights: t('pos.weights'), losses: t('pos.losses'), correct: t('pos.correct') }, { M: BT, V: T }),
    await prepareMlmMetrics(ctx, { losses: t('pos.losses'), correct: t('pos.correct'), weights: t('pos.weights'), metrics: t('metrics') }, { M: BT }),
  ];
  const headBwd = await prepareMatmulBackward(
    ctx,
    { inp: t(x), weight: t('pos.head.w'), dout: t('pos.logits'), dinp: t(`d:${x}`), dweight: t('d:pos.head.w'), dbias: t('d:pos.head.b'), ...(headScratch.length ? { dpre: t(headScratch[0]!) } : {}) },
    head,
  );
  arena.write('pos.targets', Uint32Array.from({ length: BT }, (_, i) => i % T));

  const shared = sharedMembers(arena, ctx, specs.params, opt, () => m);
  const m: BertModel = {
    ...shared,
    shape: { model, V, B, P },
    scoring: { probs: `l${L - 1}.probs`, NH: model.NH },
    views: {
      probs: Array.from({ length: L }, (_, l) => `l${l}.probs`),
      hidden: ['emb.ln.out', ...Array.from({ length: L }, (_, l) => `l${l}.ln2.out`)],
      logits: null,
      correct: null,
      disc: null,
      tokenOutput: { tensor: 'pos.logits', cols: T },
    },
    uploadBatch(tokens, attnMask) {
      shared.uploadBatch(tokens, attnMask);
      arena.write('pos.real', attnMask);
      arena.write('pos.weights', Float32Array.from(attnMask));
    },
    setStep(step, lr) {
      context.setStep(step);
      opt.setStep(step + 1, lr);
    },
    setEvalBatch(index) {
      context.setStep(EVAL_CONTEXT_STEP + index);
    },
    // Every real token is context: the attention mask as uploaded (probes, scoring, the view).
    recordEncoderForward(enc) {
      emb.embed.tokens!.record(enc);
      emb.ln.record(enc);
      run(layers.fwd, enc);
    },
    recordForward(enc) {
      context.record(enc);
      m.recordEncoderForward(enc);
      headFwd.record(enc);
      error.record(enc); // reads the logits before cross-entropy overwrites them with dlogits
      run(loss, enc);
    },
    recordPredict(enc) {
      m.recordEncoderForward(enc);
      headFwd.record(enc);
    },
    recordBackward(enc) {
      headBwd.record(enc);
      run(layers.bwd, enc);
      run(emb.bwd, enc);
    },
  };
  return m;
}
