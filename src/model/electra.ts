// ELECTRA on the GPU (spec B2; google-research/electra run_pretraining.py): one command buffer per
// step records
//   mask (masking stage) → generator forward → Gumbel-max samples of the masked slots (no gradient)
//   → generator MLM loss → replace: discriminator input, labels "masked and sampled ≠ original"
//   → discriminator forward → sigmoid BCE over all non-pad tokens, scaled by λ
//   → backward of both (shared embeddings accumulate both gradients) → clip → one AdamW step.
// A uniform generator (RTS) skips the generator entirely. It has the BertModel interface, so the
// session, masking stage and eval drive it the same way.

import type { Gpu } from '../gpu/device.ts';
import type { StepEncoder } from '../gpu/step-encoder.ts';
import { NUM_SPECIAL } from '../data/tokenizer.ts';
import { sharedMembers, type BertModel } from './bert.ts';
import { maxPredictions, type RunConfig } from './config.ts';
import { generatorPlan, electraSpecs, type ElectraShape } from './electra-layout.ts';
import { embeddingPass, layersPass, linearPass, mlmHeadPass, optimizerPass, run, ScratchPlan, type Pass, type Prepare } from './passes.ts';
import { planSpecs } from './layout.ts';
import { bceMetricsScratch, bceScratch, prepareBce, prepareBceMetrics } from './ops/bce.ts';
import { type PreparedOp } from '../gpu/op-context.ts';
import { gumbelSeed, prepareGumbelSample, prepareReplaceTokens } from './ops/electra.ts';
import { prepareMatmulBackward, prepareMatmulForward } from './ops/matmul.ts';
import { opContext } from '../shaders/index.ts';
import { createModelArena } from './run-memory.ts';

/** Sampler steps at and above this are eval batches (training never gets there). */
const EVAL_SAMPLE_STEP = 0x8000_0000;

export interface ElectraModel extends BertModel {
  readonly electraShape: ElectraShape;
  /** The sampler's step for held-out batch `index`: seed-frozen, so evals are reproducible. */
  setEvalBatch(index: number): void;
}

/** Discriminator head: dense C → C + GELU on every token, then C → 1 logits; backward from dlogits. */
function discHeadPass(sp: ScratchPlan, o: { x: string; BT: number; C: number }): Prepare<Pass> {
  const { BT, C } = o;
  const dense = { M: BT, K: C, N: C };
  const out = { M: BT, K: C, N: 1 };
  const scr = { dense: sp.matmul(dense, true), out: sp.matmul(out, false) };
  return async (ctx, arena) => {
    const t = (n: string) => arena.get(n);
    const dpre = (names: string[]) => (names.length ? { dpre: t(names[0]!) } : {});
    return {
      fwd: [
        await prepareMatmulForward(ctx, { inp: t(o.x), weight: t('disc.head.dense.w'), bias: t('disc.head.dense.b'), out: t('disc.head.out'), pre: t('disc.head.pre') }, dense, { gelu: true }),
        await prepareMatmulForward(ctx, { inp: t('disc.head.out'), weight: t('disc.head.out.w'), bias: t('disc.head.out.b'), out: t('disc.logits') }, out),
      ],
      bwd: [
        await prepareMatmulBackward(
          ctx,
          { inp: t('disc.head.out'), weight: t('disc.head.out.w'), dout: t('disc.logits'), dinp: t('d:disc.head.out'), dweight: t('d:disc.head.out.w'), dbias: t('d:disc.head.out.b'), ...dpre(scr.out) },
          out,
        ),
        await prepareMatmulBackward(
          ctx,
          {
            inp: t(o.x),
            weight: t('disc.head.dense.w'),
            dout: t('d:disc.head.out'),
            dinp: t(`d:${o.x}`),
            dweight: t('d:disc.head.dense.w'),
            dbias: t('d:disc.head.dense.b'),
            pre: t('disc.head.pre'),
            ...dpre(scr.dense),
          },
          dense,
          { gelu: true },
        ),
      ],
    };
  };
}

export async function createElectra(gpu: Gpu, cfg: RunConfig, V: number): Promise<ElectraModel> {
  const { model, train, electra } = cfg;
  const { T, L, C, layerNormEps: eps } = model;
  const B = train.batch;
  const P = maxPredictions(cfg);
  const BT = B * T;
  const shape: ElectraShape = { model, electra, V, B, P };
  const specs = electraSpecs(shape);
  const g = generatorPlan(shape);
  const useGen = !electra.uniformGenerator;

  // ---- declare every piece (scratch by shape), build the arena, prepare ----
  const sp = new ScratchPlan();
  const genX = g.project ? 'gen.x0' : 'gen.emb.ln.out';
  const gen = useGen
    ? {
        emb: embeddingPass(sp, { params: g.emb, acts: 'gen.emb.', ids: ['inputs'], B, T, E: C, V, eps }),
        proj: g.project ? linearPass(sp, { w: 'gen.emb.proj.w', b: 'gen.emb.proj.b', x: 'gen.emb.ln.out', out: 'gen.x0', M: BT, K: C, N: g.dims.C }) : null,
        layers: layersPass(sp, { prefix: 'gen.', dims: g.dims, B, T, eps, x: genX, dx: `d:${genX}` }),
        head: mlmHeadPass(sp, { params: 'gen.head.', acts: 'gen.head.', x: `gen.l${L - 1}.ln2.out`, wte: `${g.emb}wte`, metrics: 'metrics', B, T, P, C: g.dims.C, E: C, V, eps }),
      }
    : null;
  const discEmb = embeddingPass(sp, { params: 'emb.', acts: 'disc.emb.', ids: ['disc.inputs', 'tokens'], B, T, E: C, V, eps });
  const discLayers = layersPass(sp, { prefix: 'disc.', dims: model, B, T, eps, x: 'disc.emb.ln.out', dx: 'd:disc.emb.ln.out' });
  const discOut = `disc.l${L - 1}.ln2.out`;
  const discHead = discHeadPass(sp, { x: discOut, BT, C });
  const bceNames = sp.need(`bce.${BT}`, () => bceScratch({ N: BT }));
  const bceMetricNames = sp.need(`bce_metrics.${BT}`, () => bceMetricsScratch({ N: BT }));
  const optP = optimizerPass(sp, gpu, specs, train);
  const arena = await createModelArena(gpu, cfg, V, planSpecs(specs, sp.specs), 'electra');
  const ctx = opContext(gpu);
  const t = (name: string) => arena.get(name);

  const genOps = gen
    ? { emb: await gen.emb(ctx, arena), proj: gen.proj ? await gen.proj(ctx, arena) : null, layers: await gen.layers(ctx, arena), head: await gen.head(ctx, arena) }
    : null;
  const sampler = await prepareGumbelSample(
    ctx,
    { logits: t('gen.head.logits'), targets: t('targets'), weights: t('weights'), sampled: t('electra.sampled') },
    { M: B * P, V },
    { temperature: electra.temperature, disallowCorrect: electra.disallowCorrect, uniform: !useGen, firstOrdinary: NUM_SPECIAL, seed: gumbelSeed(train.seed) },
  );
  const replace = await prepareReplaceTokens(
    ctx,
    {
      tokens: t('tokens'),
      attnMask: t('attn_mask'),
      positions: t('positions'),
      targets: t('targets'),
      weights: t('weights'),
      sampled: t('electra.sampled'),
      discInputs: t('disc.inputs'),
      labels: t('disc.labels'),
      lossWeights: t('disc.loss_weights'),
      rowStats: t('electra.row_stats'),
      stats: t('electra.stats'),
    },
    { B, T, P },
    { maskedOnly: electra.maskedOnly },
  );
  const dEmb = await discEmb(ctx, arena);
  const dLayers = await discLayers(ctx, arena);
  const dHead = await discHead(ctx, arena);
  const bce: PreparedOp[] = [
    await prepareBce(ctx, { logits: t('disc.logits'), labels: t('disc.labels'), weights: t('disc.loss_weights'), losses: t('disc.losses'), probs: t('disc.probs'), scratch: bceNames.map(t) }, { N: BT }, { scale: electra.discWeight }),
    await prepareBceMetrics(
      ctx,
      { probs: t('disc.probs'), labels: t('disc.labels'), weights: t('disc.loss_weights'), losses: t('disc.losses'), metrics: t('disc.metrics'), scratch: bceMetricNames.map(t) },
      { N: BT },
    ),
  ];
  const opt = await optP(ctx, arena);

  const recordGenForward = (enc: StepEncoder) => {
    if (!genOps) return; // 'metrics' stays zero: buffers start zeroed and nothing writes it
    genOps.emb.embed['inputs']!.record(enc);
    genOps.emb.ln.record(enc);
    if (genOps.proj) run(genOps.proj.fwd, enc);
    run(genOps.layers.fwd, enc);
    run(genOps.head.fwd, enc);
  };
  const m: ElectraModel = {
    ...sharedMembers(arena, ctx, specs.params, opt, () => m),
    shape: { model, V, B, P },
    electraShape: shape,
    scoring: { probs: `disc.l${L - 1}.probs`, NH: model.NH },
    views: {
      probs: Array.from({ length: L }, (_, l) => `disc.l${l}.probs`),
      hidden: ['disc.emb.ln.out', ...Array.from({ length: L }, (_, l) => `disc.l${l}.ln2.out`)],
      logits: genOps ? 'gen.head.logits' : null,
      correct: genOps ? 'gen.head.correct' : null,
      disc: { inputs: 'disc.inputs', labels: 'disc.labels', probs: 'disc.probs', logits: 'disc.logits' },
    },
    setStep(step, lr) {
      sampler.setStep(step);
      opt.setStep(step + 1, lr);
    },
    setEvalBatch(index) {
      sampler.setStep(EVAL_SAMPLE_STEP + index);
    },
    recordEncoderForward(enc, ids = 'inputs') {
      // The discriminator's encoder: on the unmasked tokens for attention-guided masking, else on
      // its (replaced) inputs.
      dEmb.embed[ids === 'tokens' ? 'tokens' : 'disc.inputs']!.record(enc);
      dEmb.ln.record(enc);
      run(dLayers.fwd, enc);
    },
    recordForward(enc) {
      recordGenForward(enc);
      sampler.record(enc); // reads the logits before cross-entropy overwrites them with dlogits
      if (genOps) run(genOps.head.loss, enc);
      replace.record(enc);
      m.recordEncoderForward(enc);
      run(dHead.fwd, enc);
      run(bce, enc);
    },
    recordPredict(enc) {
      recordGenForward(enc); // fill-the-mask from the generator, on `inputs`
      m.recordEncoderForward(enc, 'tokens'); // the discriminator on the sentence as typed
      run(dHead.fwd, enc);
    },
    recordBackward(enc) {
      run(dHead.bwd, enc);
      run(dLayers.bwd, enc);
      run(dEmb.bwd, enc);
      if (!genOps) return;
      run(genOps.head.bwd, enc);
      run(genOps.layers.bwd, enc);
      if (genOps.proj) run(genOps.proj.bwd, enc);
      run(genOps.emb.bwd, enc);
    },
  };
  return m;
}
