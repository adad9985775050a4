// The linear probes' classifiers (issue [H]) on the GPU with the model's own kernels: softmax
// regression on frozen features, trained full-batch with AdamW from zero weights for a fixed
// number of steps (float64 twin: src/reference/softmax-regression.ts).
//   logits (N,K) = X (N,D) · Wᵀ       matmul forward (D = C + 1: the last feature column is 1,
//                                      so W's last column is the bias; see pool.wgsl)
//   dlogits = cross-entropy gradient   crossentropy_rows (in place over the logits)
//   dW (K,D) = dlogitsᵀ · X            matmul backward, no dX (the features are frozen)
//   W ← AdamW(W, dW)                   one dispatch over every classifier's weights at once
// All the classifiers of one probe (a task × a layer each) train side by side: their weights are
// consecutive in the 'probe.w' pool (gradients, m and v in pools of the same layout), so one AdamW
// dispatch steps them all. The step index t lives in AdamW's uniform, written from the CPU; the
// whole training is one command buffer, so each of the `steps` AdamW steps is prepared once with
// its own t (prepared once per run, then only recorded).
// What it does not do: pool the features (ops/pool.ts), choose the examples or score them.

import type { ArenaPlan, Arena, TensorRange } from '../gpu/arena.ts';
import type { StepEncoder } from '../gpu/step-encoder.ts';
import { prepareAdamW } from './ops/adamw.ts';
import type { OpContext, PreparedOp } from '../gpu/op-context.ts';
import { prepareCrossEntropyRows } from './ops/crossentropy.ts';
import { prepareMatmulBackward, prepareMatmulForward } from './ops/matmul.ts';

/** The classifier's fixed training budget: full-batch AdamW from zero weights. */
export interface ProbeHyper {
  /** Full-batch AdamW steps. */
  steps: number;
  lr: number;
  weightDecay: number;
  beta1: number;
  beta2: number;
  eps: number;
}

/**
 * The probe's classifier schedule. Features are LayerNorm outputs (unit scale), so one setting
 * fits every layer. Measured on Brown POS features of bert-micro (float64 reference): 64 steps at
 * lr 0.1 come within 0.01–0.02 accuracy of 600 steps, at a tenth of the cost.
 */
export const PROBE_HYPER: Readonly<ProbeHyper> = { steps: 64, lr: 0.1, weightDecay: 0, beta1: 0.9, beta2: 0.999, eps: 1e-8 };

/**
 * The one-output-per-thread matmul: a probe's products have K ≤ 15 output columns (classes), where
 * the tiled kernel's 32/64-wide tiles would sit mostly idle and dW's long inner dimension (the
 * examples) would run through thousands of tile barriers in a handful of workgroups.
 */
const MATMUL = { naive: true } as const;

export const PROBE_POOLS = { w: 'probe.w', dw: 'probe.dw', m: 'probe.m', v: 'probe.v', acts: 'probe.acts' } as const;

/** One classifier: N training and Nt test examples of D features, K classes. */
export interface ClassifierShape {
  N: number;
  Nt: number;
  D: number;
  K: number;
}

/** Tensor names of classifier `name`; features and labels are the caller's tensors. */
export interface ClassifierIo {
  name: string;
  shape: ClassifierShape;
  /** (N, D) training features, (Nt, D) test features, (N) u32 training labels. */
  train: string;
  test: string;
  labels: string;
}

/** Adds a classifier's weights (in the four weight pools, same order, each bound whole by AdamW) and work tensors to the plan. */
export function planClassifier(plan: ArenaPlan, name: string, s: ClassifierShape): void {
  for (const [pool, prefix] of [[PROBE_POOLS.w, ''], [PROBE_POOLS.dw, 'd:'], [PROBE_POOLS.m, 'm:'], [PROBE_POOLS.v, 'v:']] as const) plan.bindWhole(pool).add(pool, `${prefix}${name}.w`, [s.K, s.D]);
  plan.add(PROBE_POOLS.acts, `${name}.logits`, [s.N, s.K]);
  plan.add(PROBE_POOLS.acts, `${name}.losses`, [s.N]);
  plan.add(PROBE_POOLS.acts, `${name}.correct`, [s.N]);
  plan.add(PROBE_POOLS.acts, `${name}.weights`, [s.N]);
  plan.add(PROBE_POOLS.acts, `${name}.test_logits`, [s.Nt, s.K]);
}

/** Tensors every probe shares: AdamW's clip block, fixed at "no clipping" ([‖g‖, scale 1, 0, 0]). */
export function planClassifierShared(plan: ArenaPlan): void {
  plan.add(PROBE_POOLS.acts, 'probe.gradnorm', [4]);
}

export interface ProbeClassifiers {
  /** Zeroes every weight and moment, trains hp.steps full-batch steps, then writes each `${name}.test_logits`. */
  record(enc: StepEncoder): void;
  /** (Nt, K) test logits of classifier `name`, after record() ran. */
  testLogits(name: string): TensorRange;
  /** (K, D) weights of classifier `name`. */
  weights(name: string): TensorRange;
}

/** Prepares every classifier's ops and `hp.steps` AdamW steps over the weight pools. */
export async function prepareClassifiers(ctx: OpContext, arena: Arena, list: ClassifierIo[], hp: ProbeHyper): Promise<ProbeClassifiers> {
  arena.write('probe.gradnorm', Float32Array.from([0, 1, 0, 0]));
  const perClassifier: PreparedOp[] = [];
  const predict: PreparedOp[] = [];
  for (const c of list) {
    const { N, Nt, D, K } = c.shape;
    const t = (suffix: string) => arena.get(`${c.name}.${suffix}`);
    arena.write(`${c.name}.weights`, new Float32Array(N).fill(1));
    const w = arena.get(`${c.name}.w`);
    const x = arena.get(c.train);
    const fwd = await prepareMatmulForward(ctx, { inp: x, weight: w, out: t('logits') }, { M: N, K: D, N: K }, MATMUL);
    const ce = await prepareCrossEntropyRows(ctx, { logits: t('logits'), targets: arena.get(c.labels), weights: t('weights'), losses: t('losses'), correct: t('correct') }, { M: N, V: K }, { weightSum: N });
    const bwd = await prepareMatmulBackward(ctx, { inp: x, weight: w, dout: t('logits'), dweight: arena.get(`d:${c.name}.w`) }, { M: N, K: D, N: K }, MATMUL);
    perClassifier.push(fwd, ce, bwd);
    predict.push(await prepareMatmulForward(ctx, { inp: arena.get(c.test), weight: w, out: t('test_logits') }, { M: Nt, K: D, N: K }, MATMUL));
  }
  const io = { params: arena.poolRange(PROBE_POOLS.w), grads: arena.poolRange(PROBE_POOLS.dw), m: arena.poolRange(PROBE_POOLS.m), v: arena.poolRange(PROBE_POOLS.v), gradnorm: arena.get('probe.gradnorm') };
  const N = io.params.numel;
  const steps: PreparedOp[] = [];
  for (let t = 1; t <= hp.steps; t++) {
    const adam = await prepareAdamW(ctx, io, { N, decayEnd: N }, hp);
    adam.setStep(t, hp.lr);
    steps.push(adam);
  }
  return {
    record(enc) {
      for (const pool of [PROBE_POOLS.w, PROBE_POOLS.m, PROBE_POOLS.v]) arena.clearPool(enc.commandEncoder, pool);
      for (const adam of steps) {
        arena.clearPool(enc.commandEncoder, PROBE_POOLS.dw); // matmul backward accumulates
        for (const op of perClassifier) op.record(enc);
        adam.record(enc);
      }
      for (const op of predict) op.record(enc);
    },
    testLogits: (name) => arena.get(`${name}.test_logits`),
    weights: (name) => arena.get(`${name}.w`),
  };
}
