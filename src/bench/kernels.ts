// The kernel cases of the peer benchmark (issue [G]): single ops at a model's real shapes, our
// launchers (src/model/ops, prepared once over a small arena, as the model prepares them) against
// TensorFlow.js on its WebGPU backend. Each case does the same math on both sides and says what
// each side includes; before any timing, both run once on the same seeded random inputs and their
// outputs must agree to ≤ 1e-3 of the output's scale (BenchCase.check).
//   matmul QKV / FFN down / MLM decoder: out = x·Wᵀ + b. Ours: one fused mm_bias dispatch.
//     tfjs: tf.fused.matMul({ transposeB, bias }) (its own fused bias epilogue).
//   matmul FFN up: pre = x·Wᵀ + b, out = gelu(pre) (erf form), both kept, as the model runs it.
//     Ours: one mm_bias_gelu dispatch. tfjs: fused matMul + bias, then GELU from elementwise ops.
//   attention forward: qkv (B,T,3C) + key mask (B,T) → probs (B,NH,T,T), out (B,T,C). Ours: the
//     model's variant for this adapter. tfjs: head split (transpose + unstack), batched Q·Kᵀ,
//     ×1/√HS, + additive mask, softmax, P·V, heads merged (transpose).
//   layernorm forward (R = B·T rows): out, mean (and our rstd). tfjs: tf.moments + tf.batchNorm.
//   AdamW over the model's parameter count, in place, clip scale read from a (4) tensor as the
//     model does. Ours: one dispatch. tfjs: elementwise ops on flat tensors + Variable.assign.
// Timing: ours records k iterations into one StepEncoder (one submit) and waits with
// onSubmittedWorkDone; tfjs queues k iterations (each in tf.tidy, the previous outputs disposed)
// and waits with one 4-byte read (a 1-element slice of the last output). Constants tfjs needs
// (scales, masks, β's) are tensors made once, so iterations upload nothing on either side.
// What it does not do: backward kernels, timing (harness.ts) or choose the tfjs backend (the
// caller sets 'webgpu' first; kernelCases refuses another).
import type * as TF from '@tensorflow/tfjs';
import { Rng } from '../data/prng.ts';
import { Arena, ArenaPlan, type DType, type TensorRange } from '../gpu/arena.ts';
import type { Gpu } from '../gpu/device.ts';
import { StepEncoder } from '../gpu/step-encoder.ts';
import { readF32 } from '../gpu/readback.ts';
import { presetConfig } from '../model/config.ts';
import { paramSpecs } from '../model/layout.ts';
import { prepareAdamW, type AdamWHyper } from '../model/ops/adamw.ts';
import { prepareAttentionForward } from '../model/ops/attention.ts';
import { type OpContext, type PreparedOp } from '../gpu/op-context.ts';
import { prepareLayernormForward } from '../model/ops/layernorm.ts';
import { prepareMatmulForward } from '../model/ops/matmul.ts';
import { maxAbs, maxAbsDiff } from '../reference/compare.ts';
import type { BenchCase, Runner } from './types.ts';
import { opContext } from '../shaders/index.ts';

type Tf = typeof TF;
type Tensor = TF.Tensor;

/** The model's shapes: B batch, T sequence, C width, NH heads, FFN hidden, V vocab, P prediction slots per row, L layers (AdamW's parameter count; default 2, as every preset). */
export interface KernelShape {
  B: number;
  T: number;
  C: number;
  NH: number;
  FFN: number;
  V: number;
  P: number;
  L?: number;
}

export interface KernelOptions {
  /** Seed of the random inputs; default 1. */
  seed?: number;
  /** LayerNorm eps; default the bert-tiny preset's. */
  eps?: number;
  /** AdamW hyperparameters, learning rate and 1-based step; default the bert-tiny preset's, step 10. */
  adamw?: AdamWHyper & { lr: number; t: number };
  /** The matmuls, attention and LayerNorm also as 'untuned': the default kernels beside the tuned ones (gpu.kernels). */
  untuned?: boolean;
}

/** max |Δ| / max |ours| allowed per output before a case may be timed. */
export const KERNEL_TOLERANCE = 1e-3;

interface Env {
  gpu: Gpu;
  tf: Tf;
  ctx: OpContext;
  seed: number;
  /** Called by each case's dispose; frees the shared uniform pool after the last one. */
  release: () => void;
  untuned: boolean;
}

type Input = { name: string; shape: number[]; data: Float32Array | Uint32Array };

/** Our side of a case: an arena holding `inputs` (uploaded) and `outputs`, and the prepared op. */
async function oursSide(env: Env, label: string, inputs: Input[], outputs: [string, number[]][], prepare: (t: (n: string) => TensorRange) => Promise<PreparedOp>) {
  const plan = new ArenaPlan();
  for (const x of inputs) plan.add(x.name, x.name, x.shape, (x.data instanceof Uint32Array ? 'u32' : 'f32') satisfies DType);
  for (const [name, shape] of outputs) plan.add(name, name, shape);
  const arena = Arena.build(env.gpu, plan, `bench ${label}`);
  for (const x of inputs) arena.write(x.name, x.data);
  const op = await prepare((n) => arena.get(n));
  let disposed = false;
  const runner: Runner = {
    async run(k) {
      const enc = new StepEncoder(env.gpu, { label: `bench ${label}` });
      for (let i = 0; i < k; i++) op.record(enc);
      await enc.submit().done();
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      arena.destroy();
      env.release();
    },
  };
  return { runner, read: (name: string) => readF32(env.gpu, arena.get(name)) };
}

/**
 * tfjs's side: `iterate` is one iteration (inside tf.tidy) returning its outputs, kept until the
 * next one; run(k) waits on a 1-element slice of the last output (or of `state`, for in-place ops).
 */
function tfjsRunner(tf: Tf, iterate: () => Tensor[], owned: Tensor[], state?: Tensor): Runner {
  let last: Tensor[] = [];
  return {
    async run(k) {
      for (let i = 0; i < k; i++) {
        const next = tf.tidy(iterate);
        tf.dispose(last);
        last = next;
      }
      const probe = last[0] ?? state;
      if (!probe) throw new Error('tfjs runner: nothing to wait on');
      const one = tf.tidy(() => tf.slice(tf.reshape(probe, [-1]), 0, 1));
      await one.data();
      one.dispose();
    },
    dispose() {
      tf.dispose(last);
      last = [];
      tf.dispose(owned);
    },
  };
}

/** Equal-work verdict from (what, ours, tfjs) output pairs: max |Δ| relative to max |ours| per output. */
function verdict(pairs: [string, ArrayLike<number>, ArrayLike<number>][]): NonNullable<BenchCase['check']> {
  let worstRel = 0;
  let worstAbs = 0;
  const parts = pairs.map(([what, ours, theirs]) => {
    const abs = ours.length === theirs.length ? maxAbsDiff(ours, theirs) : Infinity;
    const rel = Number.isFinite(abs) ? abs / Math.max(maxAbs(ours), 1e-30) : Infinity;
    worstRel = Math.max(worstRel, Number.isNaN(rel) ? Infinity : rel);
    worstAbs = Math.max(worstAbs, Number.isNaN(abs) ? Infinity : abs);
    return `${what} max |Δ| ${abs.toExponential(2)} (${rel.toExponential(2)} of max |ours|)`;
  });
  const ok = worstRel <= KERNEL_TOLERANCE;
  return { ok, detail: `tfjs vs ours: ${parts.join('; ')}; ${ok ? '≤' : '>'} ${KERNEL_TOLERANCE}`, maxAbsDiff: worstAbs };
}

/** Runs tfjs's iteration once and reads its outputs. */
async function tfjsOutputs(tf: Tf, iterate: () => Tensor[]): Promise<Float32Array[]> {
  const outs = tf.tidy(iterate);
  const data = await Promise.all(outs.map((t) => t.data() as Promise<Float32Array>));
  tf.dispose(outs);
  return data;
}

type Side = Awaited<ReturnType<typeof oursSide>>;

/** With env.untuned: the case on the default kernels, on its own arena (its dispose leaves the shared uniforms to ours); else null. */
function untunedSide(env: Env, name: string, inputs: Input[], outputs: [string, number[]][], prepare: (t: (n: string) => TensorRange) => Promise<PreparedOp>): Promise<Side | null> {
  return env.untuned ? env.gpu.kernels.untuned(() => oursSide({ ...env, release: () => {} }, `${name} untuned`, inputs, outputs, prepare)) : Promise.resolve(null);
}

/** The untuned side's outputs against tfjs's, for the check (none without an untuned side). */
async function untunedPairs(untuned: Side | null, outputs: [string, number[]][], theirs: ArrayLike<number>[]): Promise<[string, Float32Array, ArrayLike<number>][]> {
  if (!untuned) return [];
  await untuned.runner.run(1);
  return Promise.all(outputs.map(async ([n], i): Promise<[string, Float32Array, ArrayLike<number>]> => [`${n} (default kernels)`, await untuned.read(n), theirs[i]!]));
}

/** out (M,N) = inp (M,K) · weight (N,K)ᵀ + bias (N); with gelu, pre = that and out = gelu(pre). */
async function matmulCase(env: Env, what: string, s: { M: number; K: number; N: number }, gelu: boolean, stream: number): Promise<BenchCase> {
  const { M, K, N } = s;
  const { tf } = env;
  const rng = new Rng(env.seed, stream);
  const inputs: Input[] = [
    { name: 'inp', shape: [M, K], data: rng.uniformArray(M * K, -1, 1) },
    { name: 'weight', shape: [N, K], data: rng.uniformArray(N * K, -1, 1) },
    { name: 'bias', shape: [N], data: rng.uniformArray(N, -1, 1) },
  ];
  const name = `matmul ${what} (${M}×${K} · ${K}×${N}) +bias${gelu ? '+GELU' : ''}`;
  const outputs: [string, number[]][] = gelu ? [['out', [M, N]], ['pre', [M, N]]] : [['out', [M, N]]];
  const prepare = (t: (n: string) => TensorRange) => prepareMatmulForward(env.ctx, { inp: t('inp'), weight: t('weight'), bias: t('bias'), out: t('out'), ...(gelu ? { pre: t('pre') } : {}) }, s, { gelu });
  const ours = await oursSide(env, name, inputs, outputs, prepare);
  const untuned = await untunedSide(env, name, inputs, outputs, prepare);

  const [x, w, b] = inputs.map((i) => tf.tensor(i.data as Float32Array, i.shape));
  const c = { half: tf.scalar(0.5), one: tf.scalar(1), invSqrt2: tf.scalar(Math.SQRT1_2) };
  const iterate = (): Tensor[] => {
    const pre = tf.fused.matMul({ a: x!, b: w!, transposeB: true, bias: b! });
    if (!gelu) return [pre];
    // gelu(pre) = ½·pre·(1 + erf(pre/√2)), the erf form our epilogue computes.
    return [tf.mul(tf.mul(pre, c.half), tf.add(c.one, tf.erf(tf.mul(pre, c.invSqrt2)))), pre];
  };
  const tfjs = tfjsRunner(tf, iterate, [x!, w!, b!, ...Object.values(c)]);

  await ours.runner.run(1);
  const mine = await Promise.all(outputs.map(([n]) => ours.read(n)));
  const theirs = await tfjsOutputs(tf, iterate);
  const pairs: [string, Float32Array, ArrayLike<number>][] = outputs.map(([n], i) => [n, mine[i]!, theirs[i]!]);
  pairs.push(...(await untunedPairs(untuned, outputs, theirs)));
  return { name, kind: 'kernel', flops: 2 * M * N * K, runners: { ours: ours.runner, ...(untuned ? { untuned: untuned.runner } : {}), tfjs }, check: verdict(pairs) };
}

/** qkv (B,T,3C), mask (B,T) → probs (B,NH,T,T), out (B,T,C); odd rows padded to ¾·T. */
async function attentionCase(env: Env, sh: KernelShape): Promise<BenchCase> {
  const { B, T, C, NH } = sh;
  const HS = C / NH;
  const { tf } = env;
  const rng = new Rng(env.seed, 5);
  const qkv = rng.uniformArray(B * T * 3 * C, -2, 2);
  const len = (b: number) => (b % 2 ? Math.max(1, Math.ceil((3 * T) / 4)) : T);
  const mask = Uint32Array.from({ length: B * T }, (_, i) => +(i % T < len(Math.floor(i / T))));
  const name = `attention forward (B=${B}, NH=${NH}, T=${T}, HS=${HS})`;
  const shape = { B, T, C, NH };
  const outputs: [string, number[]][] = [['out', [B, T, C]], ['probs', [B, NH, T, T]]];
  const inputs: Input[] = [{ name: 'qkv', shape: [B, T, 3 * C], data: qkv }, { name: 'mask', shape: [B, T], data: mask }];
  const prepare = (t: (n: string) => TensorRange) => prepareAttentionForward(env.ctx, { qkv: t('qkv'), mask: t('mask'), probs: t('probs'), out: t('out') }, shape);
  const ours = await oursSide(env, name, inputs, outputs, prepare);
  const untuned = await untunedSide(env, name, inputs, outputs, prepare);

  const x = tf.tensor(qkv, [B, T, 3 * C]);
  // Padding keys get −1e9 before the softmax: exp underflows to exactly 0, as ours writes.
  const maskBias = tf.tensor(Float32Array.from(mask, (m) => (m ? 0 : -1e9)), [B, 1, 1, T]);
  const scale = tf.scalar(1 / Math.sqrt(HS));
  const iterate = (): Tensor[] => {
    const [q, k, v] = tf.unstack(tf.transpose(tf.reshape(x, [B, T, 3, NH, HS]), [2, 0, 3, 1, 4])); // 3 × (B,NH,T,HS)
    const probs = tf.softmax(tf.add(tf.mul(tf.matMul(q!, k!, false, true), scale), maskBias));
    const out = tf.reshape(tf.transpose(tf.matMul(probs, v!), [0, 2, 1, 3]), [B, T, C]);
    return [out, probs];
  };
  const tfjs = tfjsRunner(tf, iterate, [x, maskBias, scale]);

  await ours.runner.run(1);
  const mine = await Promise.all(outputs.map(([n]) => ours.read(n)));
  const theirs = await tfjsOutputs(tf, iterate);
  const pairs = [...outputs.map(([n], i): [string, Float32Array, ArrayLike<number>] => [n, mine[i]!, theirs[i]!]), ...(await untunedPairs(untuned, outputs, theirs))];
  // Q·Kᵀ and P·V: 2·T·T·HS multiply-adds each per (b, h).
  return { name, kind: 'kernel', flops: 4 * B * T * T * C, runners: { ours: ours.runner, ...(untuned ? { untuned: untuned.runner } : {}), tfjs }, check: verdict(pairs) };
}

/** inp (R,C), weight (C), bias (C) → out (R,C), mean (R), rstd (R). */
async function layernormCase(env: Env, R: number, C: number, eps: number): Promise<BenchCase> {
  const { tf } = env;
  const rng = new Rng(env.seed, 6);
  // Rows off-centre (+0.5) so the mean matters.
  const inputs: Input[] = [
    { name: 'inp', shape: [R, C], data: rng.uniformArray(R * C, -1.5, 2.5) },
    { name: 'weight', shape: [C], data: rng.uniformArray(C, 0.5, 1.5) },
    { name: 'bias', shape: [C], data: rng.uniformArray(C, -0.5, 0.5) },
  ];
  const name = `layernorm forward (${R}×${C})`;
  const outputs: [string, number[]][] = [['out', [R, C]], ['mean', [R]], ['rstd', [R]]];
  const prepare = (t: (n: string) => TensorRange) => prepareLayernormForward(env.ctx, { inp: t('inp'), weight: t('weight'), bias: t('bias'), out: t('out'), mean: t('mean'), rstd: t('rstd') }, { R, C }, { eps });
  const ours = await oursSide(env, name, inputs, outputs, prepare);
  const untuned = await untunedSide(env, name, inputs, outputs, prepare);

  const x = tf.tensor(inputs[0]!.data as Float32Array, [R, C]);
  // batchNorm wants scale and offset of the statistics' rank: (1,C) against (R,1).
  const w = tf.tensor(inputs[1]!.data as Float32Array, [1, C]);
  const b = tf.tensor(inputs[2]!.data as Float32Array, [1, C]);
  const iterate = (): Tensor[] => {
    const { mean, variance } = tf.moments(x, -1, true);
    return [tf.batchNorm(x, mean, variance, b, w, eps), mean, variance];
  };
  const tfjs = tfjsRunner(tf, iterate, [x, w, b]);

  await ours.runner.run(1);
  const [out, mean, rstd] = await Promise.all(outputs.map(([n]) => ours.read(n)));
  const [tOut, tMean, tVar] = await tfjsOutputs(tf, iterate);
  const tRstd = Float64Array.from(tVar!, (v) => 1 / Math.sqrt(v + eps));
  const theirs = [tOut!, tMean!, tRstd];
  const pairs = [...outputs.map(([n], i): [string, Float32Array, ArrayLike<number>] => [n, [out, mean, rstd][i]!, theirs[i]!]), ...(await untunedPairs(untuned, outputs, theirs))];
  return { name, kind: 'kernel', runners: { ours: ours.runner, ...(untuned ? { untuned: untuned.runner } : {}), tfjs }, check: verdict(pairs) };
}

/** One in-place AdamW step over N parameters, the first decayEnd with weight decay. */
async function adamwCase(env: Env, N: number, decayEnd: number, hp: AdamWHyper & { lr: number; t: number }): Promise<BenchCase> {
  const { tf } = env;
  const rng = new Rng(env.seed, 7);
  const clip = 0.5; // exercises the clip scale both sides apply
  const state = { params: rng.uniformArray(N, -0.1, 0.1), grads: rng.uniformArray(N, -0.01, 0.01), m: rng.uniformArray(N, -0.01, 0.01), v: rng.uniformArray(N, 0, 1e-4) };
  const inputs: Input[] = [...Object.entries(state).map(([name, data]) => ({ name, shape: [N], data })), { name: 'gradnorm', shape: [4], data: Float32Array.of(0, clip, 0, 0) }];
  const name = `AdamW (${N} parameters)`;
  let setStep: (t: number, lr: number) => void = () => {};
  const ours = await oursSide(env, name, inputs, [], async (t) => {
    const op = await prepareAdamW(env.ctx, { params: t('params'), grads: t('grads'), m: t('m'), v: t('v'), gradnorm: t('gradnorm') }, { N, decayEnd }, hp);
    setStep = op.setStep;
    return op;
  });
  setStep(hp.t, hp.lr);

  const p = tf.variable(tf.tensor(state.params));
  const m = tf.variable(tf.tensor(state.m));
  const v = tf.variable(tf.tensor(state.v));
  const g = tf.tensor(state.grads);
  // Per-element weight decay (wd before decayEnd, else 0), as our one boundary.
  const wd = tf.tensor(Float32Array.from({ length: N }, (_, i) => (i < decayEnd ? hp.weightDecay : 0)));
  const k = Object.fromEntries(
    Object.entries({ clip, b1: hp.beta1, nb1: 1 - hp.beta1, b2: hp.beta2, nb2: 1 - hp.beta2, bc1: 1 - hp.beta1 ** hp.t, bc2: 1 - hp.beta2 ** hp.t, eps: hp.eps, lr: hp.lr }).map(([n, x]) => [n, tf.scalar(x)]),
  ) as Record<'clip' | 'b1' | 'nb1' | 'b2' | 'nb2' | 'bc1' | 'bc2' | 'eps' | 'lr', Tensor>;
  const iterate = (): Tensor[] => {
    const gs = tf.mul(g, k.clip);
    const m1 = tf.add(tf.mul(m, k.b1), tf.mul(gs, k.nb1));
    const v1 = tf.add(tf.mul(v, k.b2), tf.mul(tf.mul(gs, gs), k.nb2));
    const step = tf.add(tf.div(tf.div(m1, k.bc1), tf.add(tf.sqrt(tf.div(v1, k.bc2)), k.eps)), tf.mul(wd, p));
    p.assign(tf.sub(p, tf.mul(k.lr, step)));
    m.assign(m1);
    v.assign(v1);
    return [];
  };
  const tfjs = tfjsRunner(tf, iterate, [p, m, v, g, wd, ...Object.values(k)], p);

  await ours.runner.run(1);
  const mine = await Promise.all(['params', 'm', 'v'].map((n) => ours.read(n)));
  tf.tidy(iterate);
  const theirs = await Promise.all([p, m, v].map((t) => t.data() as Promise<Float32Array>));
  // The update, not the parameter: Δp is ~1% of p, so comparing p would hide a wrong update.
  const delta = (after: Float32Array) => Float64Array.from(after, (x, i) => x - state.params[i]!);
  return {
    name,
    kind: 'kernel',
    runners: { ours: ours.runner, tfjs },
    check: verdict([['Δparams', delta(mine[0]!), delta(theirs[0]!)], ['m', mine[1]!, theirs[1]!], ['v', mine[2]!, theirs[2]!]]),
  };
}

/**
 * Every kernel case at `shape`, each already checked for equal work (see the file header for
 * what each side includes). tf's backend must be 'webgpu' (set it and await tf.ready() first).
 * Dispose every case's runners when done.
 */
export async function kernelCases(gpu: Gpu, tf: Tf, shape: KernelShape, opts: KernelOptions = {}): Promise<BenchCase[]> {
  if (tf.getBackend() !== 'webgpu') {
    throw new Error(`kernelCases: tfjs runs on '${tf.getBackend()}', not 'webgpu'. Import '@tensorflow/tfjs-backend-webgpu', then await tf.setBackend('webgpu') and tf.ready().`);
  }
  const { B, T, C, NH, FFN, V, P } = shape;
  const L = shape.L ?? 2;
  if (!Number.isInteger(C / NH)) throw new Error(`kernelCases: C=${C} is not a multiple of NH=${NH}`);
  const preset = presetConfig('bert-tiny');
  const eps = opts.eps ?? preset.model.layerNormEps;
  const tr = preset.train;
  const hp = opts.adamw ?? { beta1: tr.beta1, beta2: tr.beta2, eps: tr.adamEps, weightDecay: tr.weightDecay, lr: tr.lr, t: 10 };
  // The model's parameter pool: decayed tensors first, so decay is one boundary (layout.ts).
  const specs = paramSpecs({ ...preset.model, L, C, NH, FFN, T }, V);
  const size = (s: { shape: number[] }) => s.shape.reduce((a, d) => a * d, 1);
  const N = specs.reduce((a, s) => a + size(s), 0);
  const decayEnd = specs.filter((s) => s.decay).reduce((a, s) => a + size(s), 0);

  const ctx = opContext(gpu);
  const builders: (() => Promise<BenchCase>)[] = [
    () => matmulCase(env, 'QKV', { M: B * T, K: C, N: 3 * C }, false, 1),
    () => matmulCase(env, 'FFN up', { M: B * T, K: C, N: FFN }, true, 2),
    () => matmulCase(env, 'FFN down', { M: B * T, K: FFN, N: C }, false, 3),
    () => matmulCase(env, 'MLM decoder', { M: B * P, K: C, N: V }, false, 4),
    () => attentionCase(env, shape),
    () => layernormCase(env, B * T, C, eps),
    () => adamwCase(env, N, decayEnd, hp),
  ];
  let live = builders.length; // cases holding the context's uniforms
  const release = () => {
    if (--live === 0) ctx.uniforms.destroy();
  };
  const env: Env = { gpu, tf, ctx, seed: opts.seed ?? 1, release, untuned: opts.untuned ?? false };
  const cases: BenchCase[] = [];
  try {
    for (const build of builders) cases.push(await build());
  } catch (e) {
    // A case that failed to build holds no runners; free what the others hold.
    for (const c of cases) for (const r of Object.values(c.runners)) r.dispose();
    ctx.uniforms.destroy();
    throw e;
  }
  return cases;
}
