// The peer benchmark's TensorFlow.js side (issue [G]): our BERT MLM training step written with
// tfjs ops, one tf.variable per parameter, gradients by tf.variableGrads, and AdamW written out in
// tf ops so it is ours exactly (src/reference/adamw.ts): global grad-norm clip, then
// g = grad·clipScale; m = β1·m + (1−β1)·g; v = β2·v + (1−β2)·g²;
// p ← p − lr·((m/bc1)/(sqrt(v/bc2) + eps) + wd·p), wd only on `decay` parameters.
// Architecture as src/reference/bert.ts: post-LN, learned positions, token type 0, exact erf GELU,
// MLM head dense → GELU → LN → decoder tied to emb.wte + head.bias on the B·P masked rows only,
// loss Σ w·CE / Σ w. tfjs is float32 everywhere, so it should agree with our engine to ~1e-6.
// Not here: masking (the caller hands in our GPU-made masked batch), LR schedules, timing.
// tfjs is passed in (or loaded by loadTfjsWebgpu), never imported statically, so the app bundle
// never contains it.

import type * as TF from '@tensorflow/tfjs';
import type { Gpu } from '../gpu/device.ts';
import { readF32, readU32 } from '../gpu/readback.ts';
import { readParams, type BertModel } from '../model/bert.ts';
import type { ModelConfig, TrainConfig } from '../model/config.ts';
import { paramSpecs } from '../model/layout.ts';
import type { Runner } from './types.ts';

export type Tf = typeof TF;

/** Inputs per tf.addN: 7 inputs + 1 output fit WebGPU's default 8 storage buffers per stage. */
const ADDN_MAX = 7;

/** Uncaptured errors on tfjs' own GPUDevice since loadTfjsWebgpu (our test setup only sees ours). */
export const tfjsGpuErrors: string[] = [];
const watched = new WeakSet<GPUDevice>();

/** One masked batch, as our masking kernels write it into the arena. */
export interface MaskedBatch {
  /** (B,T) corrupted input ids. */
  inputs: Uint32Array;
  /** (B,T) 1 = real token, 0 = padding. */
  attn: Uint32Array;
  /** (B,P) masked positions in [0,T). */
  positions: Uint32Array;
  /** (B,P) original ids at those positions. */
  targets: Uint32Array;
  /** (B,P) loss weights; 0 = unused slot. */
  weights: Float32Array;
}

export interface TfjsBert {
  /** Replaces the batch every later call uses. */
  setBatch(b: MaskedBatch): void;
  /** Forward only: the weighted mean MLM loss on the current batch. */
  lossOnly(): Promise<number>;
  /**
   * One training step on the current batch (forward, backward, clip, AdamW with 0-based `step`,
   * i.e. bias corrections at t = step + 1, as BertModel.setStep). Returns the loss before the
   * update, not awaited; the caller disposes it.
   */
  trainStep(step: number, lr: number): TF.Scalar;
  /** Every parameter's gradient of the loss on the current batch (no update), by our layout name. */
  grads(): Promise<Map<string, Float32Array>>;
  /** ‖g‖₂ of the last trainStep's gradients (before clipping). */
  gradNorm(): Promise<number>;
  /** k trainSteps per run (steps continue from the last one, at a constant lr), then one 4-byte read. */
  runner(lr?: number): Runner;
  /** A parameter's current values, by our layout name ("emb.wte", "l0.qkv.w", …). */
  read(name: string): Promise<Float32Array>;
  dispose(): void;
}

/** Imports tfjs and its WebGPU backend, and makes WebGPU the backend (its own GPUDevice). */
export async function loadTfjsWebgpu(): Promise<Tf> {
  const tf = await import('@tensorflow/tfjs');
  await import('@tensorflow/tfjs-backend-webgpu');
  if (!(await tf.setBackend('webgpu'))) throw new Error('TensorFlow.js could not start its WebGPU backend: this browser has no usable WebGPU adapter.');
  await tf.ready();
  // A failed tfjs pipeline drops its command buffer without an exception: keep the errors, so a
  // check can refuse a run whose numbers came from skipped work.
  const device = (tf.backend() as unknown as { device?: GPUDevice }).device;
  if (device && !watched.has(device)) {
    watched.add(device);
    device.addEventListener('uncapturederror', (e) => tfjsGpuErrors.push((e as GPUUncapturedErrorEvent).error.message));
  }
  return tf;
}

/** Reads the masked batch our masking wrote into `model`'s arena (inputs, attn_mask, positions, targets, weights). */
export async function readMaskedBatch(gpu: Gpu, model: BertModel): Promise<MaskedBatch> {
  return {
    inputs: await readU32(gpu, model.t('inputs')),
    attn: await readU32(gpu, model.t('attn_mask')),
    positions: await readU32(gpu, model.t('positions')),
    targets: await readU32(gpu, model.t('targets')),
    weights: await readF32(gpu, model.t('weights')),
  };
}

/**
 * The tfjs twin of a BERT MLM of ours as it stands: its current weights (AdamW moments start at
 * zero) and the masked batch last written into its arena, with `train`'s AdamW settings. Call it
 * after our side has masked a batch (a training step, or masking + recordForward).
 */
export async function tfjsBertFromModel(tf: Tf, gpu: Gpu, model: BertModel, train: TrainConfig): Promise<TfjsBert> {
  const { model: mc, V, B, P } = model.shape;
  const params = await readParams(gpu, model);
  const tb = createTfjsBert(tf, params, mc, V, train, { B, P });
  tb.setBatch(await readMaskedBatch(gpu, model));
  return tb;
}

interface BatchTensors {
  /** (B·T) int32 input ids. */
  ids: TF.Tensor1D;
  /**
   * (B,1,1,T) 0 for real keys, −1e9 for padding: exp underflows to exactly 0 probability. (A row
   * with no real key at all would get uniform, not zero, probabilities; masked batches have none.)
   */
  keyBias: TF.Tensor4D;
  /** (B·P) int32 row b·T + positions[b,p] of the flattened (B·T,C) encoder output. */
  rows: TF.Tensor1D;
  /** (B·P,V) one-hot targets. */
  onehot: TF.Tensor2D;
  /** (B·P) w/Σw (zeros when Σw = 0). */
  wnorm: TF.Tensor1D;
}

/**
 * A BERT MLM with `params` (our layout names and shapes, e.g. initSpecs' output) for batches of
 * `dims.B` rows of model.T tokens with `dims.P` prediction slots each, vocabulary V, AdamW
 * hyperparameters from `train`.
 */
export function createTfjsBert(tf: Tf, params: Map<string, Float32Array>, model: ModelConfig, V: number, train: TrainConfig, dims: { B: number; P: number }): TfjsBert {
  const { L, C, NH, T, layerNormEps: eps } = model;
  const { B, P } = dims;
  const HS = C / NH;
  const BT = B * T;
  const M = B * P;
  const specs = paramSpecs(model, V);

  // Variables get tfjs' unique auto names, so several models can live side by side.
  const vars = new Map<string, TF.Variable>();
  const moments = new Map<string, { m: TF.Variable; v: TF.Variable }>();
  for (const s of specs) {
    const init = params.get(s.name);
    if (!init) throw new Error(`createTfjsBert: missing parameter ${s.name}`);
    if (init.length !== s.shape.reduce((a, b) => a * b, 1)) throw new Error(`createTfjsBert: ${s.name} has ${init.length} values, expected shape [${s.shape.join(',')}]`);
    // tidy frees the initial tensors; variables outlive it.
    vars.set(s.name, tf.tidy(() => tf.variable(tf.tensor(init, s.shape, 'float32'), true)));
    moments.set(s.name, tf.tidy(() => ({ m: tf.variable(tf.zeros(s.shape), false), v: tf.variable(tf.zeros(s.shape), false) })));
  }
  const varList = specs.map((s) => vars.get(s.name)!);
  const p = (name: string) => vars.get(name)!;

  // Constants uploaded once (tfjs would otherwise make a tensor of each number at every use).
  const k = {
    half: tf.scalar(0.5),
    one: tf.scalar(1),
    invSqrt2: tf.scalar(Math.SQRT1_2),
    lnEps: tf.scalar(eps),
    attScale: tf.scalar(1 / Math.sqrt(HS)),
    beta1: tf.scalar(train.beta1),
    beta2: tf.scalar(train.beta2),
    // 1 − β in float64, as adamw.wgsl gets them.
    omb1: tf.scalar(1 - train.beta1),
    omb2: tf.scalar(1 - train.beta2),
    adamEps: tf.scalar(train.adamEps),
    wd: tf.scalar(train.weightDecay),
    maxNorm: tf.scalar(train.maxGradNorm),
    normEps: tf.scalar(1e-6),
  };

  let batch: BatchTensors | null = null;
  let lastNorm: TF.Scalar | null = null;
  let nextStep = 0;

  /**
   * Σ xs, ADDN_MAX at a time: tfjs' WebGPU AddN binds every input in one shader, and past the
   * device's storage-buffer limit (8 by default) its pipeline is invalid and the whole batched
   * command buffer is silently dropped.
   */
  const addMany = (xs: TF.Tensor[]): TF.Tensor => {
    let acc = xs;
    while (acc.length > 1) {
      const next: TF.Tensor[] = [];
      for (let i = 0; i < acc.length; i += ADDN_MAX) {
        const part = acc.slice(i, i + ADDN_MAX);
        next.push(part.length === 1 ? part[0]! : tf.addN(part));
      }
      acc = next;
    }
    return acc[0]!;
  };
  const gelu = (x: TF.Tensor) => tf.mul(tf.mul(k.half, x), tf.add(k.one, tf.erf(tf.mul(x, k.invSqrt2))));
  /** x (R,K), w (N,K), b (N) → x·wᵀ + b (R,N). */
  const linear = (x: TF.Tensor, w: string, b: string) => tf.fused.matMul({ a: x as TF.Tensor2D, b: p(w) as TF.Tensor2D, transposeB: true, bias: p(b) });
  /** x (R,C') → LayerNorm over the last axis (biased variance, rstd = 1/sqrt(var + eps)). */
  const layerNorm = (x: TF.Tensor, w: string, b: string) => {
    const { mean, variance } = tf.moments(x, -1, true);
    return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, k.lnEps))), p(w)), p(b)) as TF.Tensor2D;
  };
  /** (B·T,C) → (B,NH,T,HS). */
  const heads = (x: TF.Tensor) => tf.transpose(tf.reshape(x, [B, T, NH, HS]), [0, 2, 1, 3]);

  /** qkv (B·T,3C), rows Q|K|V → concat of heads' softmax(QKᵀ/√HS + keyBias)·V (B·T,C). */
  const attention = (qkv: TF.Tensor, keyBias: TF.Tensor4D) => {
    const [q, kk, v] = tf.split(qkv, 3, 1);
    const scores = tf.add(tf.mul(tf.matMul(heads(q!), heads(kk!), false, true), k.attScale), keyBias); // (B,NH,T,T)
    const out = tf.matMul(tf.softmax(scores), heads(v!)); // (B,NH,T,HS)
    return tf.reshape(tf.transpose(out, [0, 2, 1, 3]), [BT, C]) as TF.Tensor2D;
  };

  /** The weighted mean MLM loss of the current batch (a scalar), recorded on tfjs' tape. */
  const forward = (): TF.Scalar => {
    if (!batch) throw new Error('TfjsBert: call setBatch before running the model.');
    const bt = batch;
    // wte[ids] + wpe[t] + wtt[0], as (B,T,C) so positions broadcast, then rows (B·T,C).
    const tok = tf.reshape(tf.gather(p('emb.wte'), bt.ids), [B, T, C]);
    const sum = tf.add(tf.add(tok, p('emb.wpe')), tf.slice(p('emb.wtt'), [0, 0], [1, C]));
    let x = layerNorm(tf.reshape(sum, [BT, C]), 'emb.ln.w', 'emb.ln.b');
    for (let l = 0; l < L; l++) {
      const n = `l${l}.`;
      const att = attention(linear(x, n + 'qkv.w', n + 'qkv.b'), bt.keyBias);
      const x1 = layerNorm(tf.add(x, linear(att, n + 'proj.w', n + 'proj.b')), n + 'ln1.w', n + 'ln1.b');
      const h = gelu(linear(x1, n + 'fc1.w', n + 'fc1.b'));
      x = layerNorm(tf.add(x1, linear(h, n + 'fc2.w', n + 'fc2.b')), n + 'ln2.w', n + 'ln2.b');
    }
    const rows = tf.gather(x, bt.rows); // (M,C)
    const hh = layerNorm(gelu(linear(rows, 'head.dense.w', 'head.dense.b')), 'head.ln.w', 'head.ln.b');
    const logits = tf.fused.matMul({ a: hh, b: p('emb.wte') as TF.Tensor2D, transposeB: true, bias: p('head.bias') }); // (M,V), tied decoder
    const ce = tf.neg(tf.sum(tf.mul(tf.logSoftmax(logits), bt.onehot), -1)); // (M)
    return tf.sum(tf.mul(ce, bt.wnorm));
  };

  const self: TfjsBert = {
    setBatch(b) {
      const want: [keyof MaskedBatch, number][] = [['inputs', BT], ['attn', BT], ['positions', M], ['targets', M], ['weights', M]];
      for (const [key, n] of want) if (b[key].length !== n) throw new Error(`TfjsBert.setBatch: ${key} has ${b[key].length} values, expected ${n}`);
      disposeBatch();
      let wsum = 0;
      for (const w of b.weights) wsum += w;
      const rows = Int32Array.from(b.positions, (t, i) => Math.floor(i / P) * T + t);
      batch = {
        ids: tf.tensor1d(Int32Array.from(b.inputs), 'int32'),
        keyBias: tf.tensor4d(Float32Array.from(b.attn, (a) => (a !== 0 ? 0 : -1e9)), [B, 1, 1, T]),
        rows: tf.tensor1d(rows, 'int32'),
        onehot: tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(Int32Array.from(b.targets), 'int32'), V), 'float32')) as TF.Tensor2D,
        wnorm: tf.tensor1d(Float32Array.from(b.weights, (w) => (wsum === 0 ? 0 : w / wsum))),
      };
    },
    async lossOnly() {
      const loss = tf.tidy(forward);
      const v = (await loss.data())[0]!;
      loss.dispose();
      return v;
    },
    trainStep(step, lr) {
      const t = step + 1;
      nextStep = t;
      // Bias corrections in float64 on the CPU, as prepareAdamW computes them.
      const bc1 = 1 - train.beta1 ** t;
      const bc2 = 1 - train.beta2 ** t;
      const out = tf.tidy(() => {
        const { value, grads } = tf.variableGrads(forward, varList);
        const gs = varList.map((v) => grads[v.name]!);
        const norm = tf.sqrt(addMany(gs.map((g) => tf.sum(tf.square(g))))) as TF.Scalar;
        const clip = train.maxGradNorm > 0 ? tf.minimum(k.one, tf.div(k.maxNorm, tf.add(norm, k.normEps))) : k.one;
        const [lrT, bc1T, bc2T] = [tf.scalar(lr), tf.scalar(bc1), tf.scalar(bc2)];
        specs.forEach((s, i) => {
          const w = varList[i]!;
          const mv = moments.get(s.name)!;
          const g = tf.mul(gs[i]!, clip);
          const m = tf.add(tf.mul(k.beta1, mv.m), tf.mul(k.omb1, g));
          const v = tf.add(tf.mul(k.beta2, mv.v), tf.mul(k.omb2, tf.square(g)));
          mv.m.assign(m);
          mv.v.assign(v);
          let upd = tf.div(tf.div(m, bc1T), tf.add(tf.sqrt(tf.div(v, bc2T)), k.adamEps));
          if (s.decay) upd = tf.add(upd, tf.mul(k.wd, w));
          w.assign(tf.sub(w, tf.mul(lrT, upd)));
        });
        lastNorm?.dispose();
        lastNorm = tf.keep(norm);
        return value;
      });
      return out as TF.Scalar;
    },
    async grads() {
      const gs = tf.tidy(() => {
        const { grads } = tf.variableGrads(forward, varList);
        return varList.map((v) => grads[v.name]!);
      });
      const out = new Map<string, Float32Array>();
      for (const [i, s] of specs.entries()) out.set(s.name, (await gs[i]!.data()) as Float32Array);
      tf.dispose(gs);
      return out;
    },
    async gradNorm() {
      if (!lastNorm) throw new Error('TfjsBert.gradNorm: no training step has run yet.');
      return (await lastNorm.data())[0]!;
    },
    runner(lr = train.lr) {
      return {
        async run(n) {
          let loss: TF.Scalar | null = null;
          for (let i = 0; i < n; i++) {
            loss?.dispose();
            loss = self.trainStep(nextStep, lr);
          }
          if (loss) {
            await loss.data();
            loss.dispose();
          }
        },
        dispose: () => self.dispose(),
      };
    },
    async read(name) {
      const v = vars.get(name);
      if (!v) throw new Error(`TfjsBert.read: no parameter ${name}`);
      return (await v.data()) as Float32Array;
    },
    dispose() {
      disposeBatch();
      lastNorm?.dispose();
      lastNorm = null;
      for (const v of vars.values()) v.dispose();
      for (const { m, v } of moments.values()) {
        m.dispose();
        v.dispose();
      }
      vars.clear();
      moments.clear();
      for (const c of Object.values(k)) c.dispose();
    },
  };

  function disposeBatch(): void {
    if (batch) for (const t of Object.values(batch)) t.dispose();
    batch = null;
  }

  return self;
}
