// The BERT MLM on the GPU: plans the arena, prepares every op once, and records a training step
// (forward → loss → backward in exact reverse order → clip → AdamW) into one encoder; the masking
// stage (src/train/masking-stage.ts) records the masking before it, into the same encoder.
// Architecture: Hugging Face BertForMaskedLM (post-LN, learned positions, exact GELU, MLM head
// dense → GELU → LayerNorm → decoder tied to the token embedding + bias), head on masked rows only.
// Built from the passes of encoder.ts. What it does not do: choose batches, schedule the LR or
// read metrics (train/session does).

import type { Arena, TensorRange } from '../gpu/arena.ts';
import type { Gpu } from '../gpu/device.ts';
import type { StepEncoder } from '../gpu/step-encoder.ts';
import { readF32 } from '../gpu/readback.ts';
import type { RunConfig } from './config.ts';
import { maxPredictions } from './config.ts';
import { embeddingPass, layersPass, mlmHeadPass, optimizerPass, run, ScratchPlan, type OptimizerPass } from './passes.ts';
import { bertSpecs, planSpecs, POOLS, type ParamSpec, type RunShape } from './layout.ts';
import { type OpContext } from '../gpu/op-context.ts';
import { opContext } from '../shaders/index.ts';
import { createModelArena } from './run-memory.ts';
import { createBertRowPredictor } from './row-predictor.ts';

export interface BertModel {
  readonly shape: RunShape;
  readonly arena: Arena;
  readonly ctx: OpContext;
  /** Every parameter, in layout order. */
  readonly params: ParamSpec[];
  /** The attention probabilities attention-guided masking scores tokens with, and their heads. */
  readonly scoring: { probs: string; NH: number };
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
  /**
   * Inference for the probe views, on `inputs`/`positions` the caller wrote (no masking, no loss,
   * so the MLM logits stay logits): the encoder, the MLM head at `positions`; ELECTRA also runs
   * the discriminator on `tokens`.
   */
  recordPredict(enc: StepEncoder): void;
  /** Tensors the views read after a step or a prediction. */
  readonly views: ModelViews;
  /**
   * Models that draw random numbers in their forward pass (ELECTRA's sampler): seed-freeze them
   * for held-out batch `index`, so evals are reproducible. Absent = nothing random.
   */
  setEvalBatch?(index: number): void;
  recordBackward(enc: StepEncoder): void;
  recordOptimizer(enc: StepEncoder): void;
  /**
   * Builds the probe view's one-row plan over this model's parameters (row-predictor.ts); absent
   * where the model has none (the view then runs recordPredict on the whole batch).
   */
  createRowPredictor?(): Promise<RowPredictor>;
  destroy(): void;
}

/** What the probe view runs: a model's prediction at batch 1 (shape.B = 1), on its own inputs. */
export type RowPredictor = Pick<BertModel, 'shape' | 'arena' | 'views' | 't' | 'uploadBatch' | 'recordPredict' | 'destroy'>;

export interface ModelViews {
  /** Each layer's attention probabilities (B,NH,T,T): the discriminator's for ELECTRA. */
  probs: string[];
  /**
   * The hidden states (B,T,C) of the embeddings and of each layer (L+1 names) after
   * recordEncoderForward: what the linear probes read (ELECTRA: the discriminator's).
   */
  hidden: string[];
  /** MLM logits (B·P,V) and per-slot correctness (B·P); null without a generator (uniform ELECTRA). */
  logits: string | null;
  correct: string | null;
  /** ELECTRA: discriminator input ids, labels, probabilities (B,T) and logits (B,T). */
  disc: { inputs: string; labels: string; probs: string; logits: string } | null;
  /**
   * Per-token outputs of recordPredict that the objective's own view draws, (B,T,cols) in
   * `tensor` (e.g. position prediction's logits over the T positions); absent = none.
   */
  tokenOutput?: { tensor: string; cols: number };
}

export async function createBert(gpu: Gpu, cfg: RunConfig, V: number): Promise<BertModel> {
  const { model, train } = cfg;
  const { T, L, layerNormEps: eps } = model;
  const B = train.batch;
  const P = maxPredictions(cfg);
  const shape: RunShape = { model, V, B, P };
  const specs = bertSpecs(shape);

  // ---- declare (scratch by shape), build the arena, then prepare every op once ----
  const sp = new ScratchPlan();
  const embP = embeddingPass(sp, { params: 'emb.', acts: 'emb.', ids: ['inputs', 'tokens'], B, T, E: model.C, V, eps });
  const layersP = layersPass(sp, { prefix: '', dims: model, B, T, eps, x: 'emb.ln.out', dx: 'd:emb.ln.out' });
  const headP = mlmHeadPass(sp, { params: 'head.', acts: 'head.', x: `l${L - 1}.ln2.out`, wte: 'emb.wte', metrics: 'metrics', B, T, P, C: model.C, E: model.C, V, eps });
  const optP = optimizerPass(sp, gpu, specs, train);
  const arena = await createModelArena(gpu, cfg, V, planSpecs(specs, sp.specs), 'bert');
  const ctx = opContext(gpu);
  const emb = await embP(ctx, arena);
  const layers = await layersP(ctx, arena);
  const head = await headP(ctx, arena);
  const opt = await optP(ctx, arena);
  const m: BertModel = {
    ...sharedMembers(arena, ctx, specs.params, opt, () => m),
    shape,
    scoring: { probs: `l${L - 1}.probs`, NH: model.NH },
    views: {
      probs: Array.from({ length: L }, (_, l) => `l${l}.probs`),
      hidden: ['emb.ln.out', ...Array.from({ length: L }, (_, l) => `l${l}.ln2.out`)],
      logits: 'head.logits',
      correct: 'head.correct',
      disc: null,
    },
    setStep(step, lr) {
      opt.setStep(step + 1, lr);
    },
    recordEncoderForward(enc, ids = 'inputs') {
      emb.embed[ids]!.record(enc);
      emb.ln.record(enc);
      run(layers.fwd, enc);
    },
    recordForward(enc) {
      m.recordEncoderForward(enc);
      run(head.fwd, enc);
      run(head.loss, enc);
    },
    recordPredict(enc) {
      m.recordEncoderForward(enc);
      run(head.fwd, enc);
    },
    createRowPredictor: () => createBertRowPredictor(gpu, cfg, V, m),
    recordBackward(enc) {
      run(head.bwd, enc);
      run(layers.bwd, enc);
      run(emb.bwd, enc);
    },
  };
  return m;
}

type Shared = Pick<BertModel, 'arena' | 'ctx' | 'params' | 't' | 'uploadParams' | 'uploadBatch' | 'recordClearGrads' | 'recordOptimizer' | 'recordTrainStep' | 'destroy'>;

/**
 * What every model has in common: parameter and batch upload, clearing the gradients it
 * accumulates into, the optimizer, a training step's fixed order, teardown. `self` is the model
 * being built (its forward and backward are its own).
 */
export function sharedMembers(arena: Arena, ctx: OpContext, params: ParamSpec[], opt: OptimizerPass, self: () => Pick<BertModel, 'recordClearGrads' | 'recordForward' | 'recordBackward' | 'recordOptimizer'>): Shared {
  return {
    arena,
    ctx,
    params,
    t: (name) => arena.get(name),
    uploadParams(values) {
      for (const p of params) {
        const v = values.get(p.name);
        if (!v) throw new Error(`uploadParams: missing ${p.name}`);
        arena.write(p.name, v);
      }
    },
    uploadBatch(tokens, attnMask) {
      arena.write('tokens', tokens);
      arena.write('attn_mask', attnMask);
    },
    // Gradients and activation gradients are accumulated into, so each step starts from zero.
    recordClearGrads(enc) {
      arena.clearPool(enc.commandEncoder, POOLS.grads);
      arena.clearPool(enc.commandEncoder, POOLS.dacts);
    },
    recordOptimizer: (enc) => opt.record(enc),
    recordTrainStep(enc) {
      const m = self();
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
}

/**
 * Every parameter's values read off the GPU, by name: the parameters themselves (prefix ''), or
 * the AdamW moments laid out like them ('m:', 'v:'). For checkpoints and exports, between steps.
 */
export async function readParams(gpu: Gpu, m: BertModel, prefix: '' | 'm:' | 'v:' = ''): Promise<Map<string, Float32Array>> {
  return new Map(await Promise.all(m.params.map(async (p) => [p.name, await readF32(gpu, m.t(prefix + p.name))] as const)));
}
