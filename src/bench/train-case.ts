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

export async function trainCase(gpu: Gpu, tf: Tf, cfg: RunConfig): Promise<BenchCase> {
  const V = benchVocab(cfg);
  const { T } = cfg.model;
  const B = cfg.train.batch;
  const P = maxPredictions(cfg);
  const lr = cfg.train.lr;
  const model = await createBert(gpu, cfg, V);
  const params = initSpecs(model.params, cfg.model.initStd, cfg.train.seed);
  model.uploadParams(params);
  const { masking } = await randomMaskedBatch(model, { T, V }, { rate: 0.15, maskProb: 0.8, randomProb: 0.1, batchSeed: cfg.train.seed, maskSeed: cfg.train.seed });
  const t = model.t;
  const enc0 = new StepEncoder(gpu, { label: 'bench masking' });
  masking.record(enc0);
  enc0.submit();
  const batch = await readMaskedBatch(gpu, model);
  const tb = createTfjsBert(tf, params, cfg.model, V, cfg.train, { B, P });
  tb.setBatch(batch);

  let step = 0;
  const ourStep = () => {
    model.setStep(step++, lr);
    const enc = new StepEncoder(gpu, { label: 'bench train step' });
    model.recordTrainStep(enc);
    enc.submit();
  };
  // Equal work: losses of the first step (the loss before the update) and of the second (after one AdamW step).
  const losses: [number, number][] = [];
  for (let i = 0; i < 2; i++) {
    ourStep();
    const ours = (await readF32(gpu, t('metrics')))[0]!;
    const l = tb.trainStep(i, lr);
    const theirs = (await l.data())[0]!;
    l.dispose();
    losses.push([ours, theirs]);
  }
  const worst = Math.max(...losses.map(([a, b]) => Math.abs(a - b)));
  // A tfjs pipeline that failed validation is dropped silently and would time as "fast": refuse.
  const gpuErrors = tfjsGpuErrors.length ? `; tfjs GPU errors: ${tfjsGpuErrors.join(' | ')}` : '';
  const ok = Number.isFinite(worst) && worst <= TOLERANCE && !gpuErrors;

  const ours: Runner = {
    async run(k) {
      for (let i = 0; i < k; i++) ourStep();
      await gpu.device.queue.onSubmittedWorkDone();
    },
    dispose: () => model.destroy(),
  };
  return {
    name: `train ${cfg.preset} (B=${B}, T=${T}, V=${V}, P=${P})`,
    kind: 'train',
    runners: { ours, tfjs: tb.runner(lr) },
    check: {
      ok,
      maxAbsDiff: worst,
      detail: `loss before/after one AdamW step: ours ${losses.map(([a]) => a.toFixed(5)).join(' / ')}, tfjs ${losses.map(([, b]) => b.toFixed(5)).join(' / ')}, max |Δ| ${worst.toExponential(2)}${gpuErrors}`,
    },
  };
}
