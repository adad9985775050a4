// The training case of the peer benchmark: one BERT MLM training step (forward, masked-position
// loss, backward, clip, AdamW) by our engine and by the same model written in TensorFlow.js
// (tfjs-bert.ts), each on its own GPUDevice. Both train on one fixed masked batch (made by our
// masking kernel from random tokens, then handed to tfjs), so the timed work is the same step.
// Equal work is proven before timing: from identical weights the losses before and after one
// AdamW step agree to ≤ 1e-3; otherwise the case is marked failed and never timed.
import { NUM_SPECIAL } from '../data/tokenizer.ts';
import type { Gpu } from '../gpu/device.ts';
import { StepEncoder } from '../gpu/step-encoder.ts';
import { readF32 } from '../gpu/readback.ts';
import { createBert } from '../model/bert.ts';
import { maxPredictions, type RunConfig } from '../model/config.ts';
import { initSpecs } from '../model/init.ts';
import { randomMaskedBatch } from '../model/random-batch.ts';
import { createTfjsBert, readMaskedBatch, tfjsGpuErrors, type Tf } from './tfjs-bert.ts';
import type { BenchCase, Runner } from './types.ts';

const TOLERANCE = 1e-3;

/** The vocabulary size a preset trains with: the synthetic tasks' 16 symbols, else the WordPiece size asked for. */
export function benchVocab(cfg: RunConfig): number {
  return cfg.data.source.startsWith('synthetic') ? NUM_SPECIAL + 16 : cfg.data.vocabSize;
}

/** Our model of `cfg` with `params` and the bench's fixed masked batch, and a runner of its training step. */
async function ourSide(gpu: Gpu, cfg: RunConfig, V: number, params: ReturnType<typeof initSpecs> | null) {
  const { T } = cfg.model;
  const model = await createBert(gpu, cfg, V);
  const p = params ?? initSpecs(model.params, cfg.model.initStd, cfg.train.seed);
  model.uploadParams(p);
  const { masking } = await randomMaskedBatch(model, { T, V }, { rate: 0.15, maskProb: 0.8, randomProb: 0.1, batchSeed: cfg.train.seed, maskSeed: cfg.train.seed });
  const enc0 = new StepEncoder(gpu, { label: 'bench masking' });
  masking.record(enc0);
  enc0.submit();
  let step = 0;
  const trainStep = () => {
    model.setStep(step++, cfg.train.lr);
    const enc = new StepEncoder(gpu, { label: 'bench train step' });
    model.recordTrainStep(enc);
    enc.submit();
  };
  const runner: Runner = {
    async run(k) {
      for (let i = 0; i < k; i++) trainStep();
      await gpu.device.queue.onSubmittedWorkDone();
    },
    dispose: () => model.destroy(),
  };
  return { model, params: p, trainStep, loss: async () => (await readF32(gpu, model.t('metrics')))[0]!, runner };
}

/**
 * The training case. With `tune`, the model is built first with the default kernels (the
 * 'untuned' runtime), `tune` gets the kernels it noted, and a second, tuned model (ours) trains
 * the same batch from the same weights; both must match tfjs.
 */
export async function trainCase(gpu: Gpu, tf: Tf, cfg: RunConfig, tune?: (keys: string[]) => Promise<void>): Promise<BenchCase> {
  const V = benchVocab(cfg);
  const { T } = cfg.model;
  const B = cfg.train.batch;
  const P = maxPredictions(cfg);
  const lr = cfg.train.lr;
  gpu.kernels.takeRecent();
  const first = tune ? await gpu.kernels.untuned(() => ourSide(gpu, cfg, V, null)) : await ourSide(gpu, cfg, V, null);
  let tuned: typeof first | null = null;
  if (tune) {
    await tune(gpu.kernels.takeRecent());
    tuned = await ourSide(gpu, cfg, V, first.params);
  }
  const batch = await readMaskedBatch(gpu, first.model);
  const tb = createTfjsBert(tf, first.params, cfg.model, V, cfg.train, { B, P });
  tb.setBatch(batch);

  // Equal work: losses of the first step (the loss before the update) and of the second (after one AdamW step).
  const sides = tuned ? [tuned, first] : [first];
  const losses: number[][] = [];
  for (let i = 0; i < 2; i++) {
    const row: number[] = [];
    for (const s of sides) {
      s.trainStep();
      row.push(await s.loss());
    }
    const l = tb.trainStep(i, lr);
    row.push((await l.data())[0]!);
    l.dispose();
    losses.push(row);
  }
  const theirs = sides.length;
  const worst = Math.max(...losses.flatMap((row) => row.slice(0, theirs).map((a) => Math.abs(a - row[theirs]!))));
  // A tfjs pipeline that failed validation is dropped silently and would time as "fast": refuse.
  const gpuErrors = tfjsGpuErrors.length ? `; tfjs GPU errors: ${tfjsGpuErrors.join(' | ')}` : '';
  const ok = Number.isFinite(worst) && worst <= TOLERANCE && !gpuErrors;
  const col = (i: number) => losses.map((row) => row[i]!.toFixed(5)).join(' / ');
  const ourLosses = tuned ? `ours tuned ${col(0)}, default kernels ${col(1)}` : `ours ${col(0)}`;
  return {
    name: `train ${cfg.preset} (B=${B}, T=${T}, V=${V}, P=${P})`,
    kind: 'train',
    runners: tuned ? { ours: tuned.runner, untuned: first.runner, tfjs: tb.runner(lr) } : { ours: first.runner, tfjs: tb.runner(lr) },
    check: {
      ok,
      maxAbsDiff: worst,
      detail: `loss before/after one AdamW step: ${ourLosses}, tfjs ${col(theirs)}, max |Δ| ${worst.toExponential(2)}${gpuErrors}`,
    },
  };
}
