// Test helpers shared by the whole-model gradient checks: a batch of random ordinary tokens in
// [CLS] … [SEP] rows, every other row padded, so masking, attention masks and padding all matter.
import { Rng } from '../data/prng.ts';
import type { Gpu } from '../gpu/device.ts';
import { StepEncoder } from '../gpu/step-encoder.ts';
import { prepareRandomMasking } from '../masking/random.ts';
import type { BertModel } from './bert.ts';
import type { PreparedOp } from './ops/context.ts';

export function randomBatch(B: number, T: number, V: number, seed: number): { tokens: Uint32Array; mask: Uint32Array } {
  const rng = new Rng(seed, 77);
  const tokens = new Uint32Array(B * T);
  const mask = new Uint32Array(B * T);
  for (let b = 0; b < B; b++) {
    const len = b % 2 === 0 ? T : Math.max(4, T - 3 - rng.int(T / 2));
    for (let t = 0; t < len; t++) {
      tokens[b * T + t] = t === 0 ? 2 : t === len - 1 ? 3 : 5 + rng.int(V - 5);
      mask[b * T + t] = 1;
    }
  }
  return { tokens, mask };
}

/** How randomMaskedBatch masks: the [B] random kernel's rate, corruption split and seeds. */
export interface RandomMasking {
  rate: number;
  maskProb: number;
  randomProb: number;
  /** Seed of the random token rows (randomBatch). */
  batchSeed: number;
  /** Seed of the masking kernel. */
  maskSeed: number;
}

/**
 * A random batch (randomBatch) uploaded as `model`'s tokens, and the [B] random masking kernel
 * prepared on the model's tensors at step 0; recording `masking` writes inputs, positions,
 * targets and weights. For tests and benchmarks that need a real masked batch without a dataset.
 */
export async function randomMaskedBatch(model: BertModel, shape: { T: number; V: number }, m: RandomMasking): Promise<{ tokens: Uint32Array; attn: Uint32Array; masking: PreparedOp & { setStep(step: number): void } }> {
  const { B, P } = model.shape;
  const { T, V } = shape;
  const { tokens, mask: attn } = randomBatch(B, T, V, m.batchSeed);
  model.uploadBatch(tokens, attn);
  const t = model.t;
  const masking = await prepareRandomMasking(
    model.ctx,
    { tokens: t('tokens'), inputs: t('inputs'), positions: t('positions'), targets: t('targets'), weights: t('weights'), record: t('record') },
    { B, T, P },
    { rate: m.rate, maxPredictions: P, maskProb: m.maskProb, randomProb: m.randomProb, vocabSize: V, seed: m.maskSeed },
  );
  masking.setStep(0);
  return { tokens, attn, masking };
}

/**
 * The gradient checks' GPU side: a random batch, masked by the [B] random kernel (rate 0.3, seed
 * 9), one forward + backward recorded and submitted without an optimizer step. Returns the batch.
 */
export async function forwardBackwardOnRandomBatch(
  gpu: Gpu,
  model: BertModel,
  shape: { T: number; V: number },
  corruption: { maskProb: number; randomProb: number },
  step: number,
): Promise<{ tokens: Uint32Array; attn: Uint32Array }> {
  model.setStep(step, 0);
  const { tokens, attn, masking } = await randomMaskedBatch(model, shape, { rate: 0.3, ...corruption, batchSeed: 5, maskSeed: 9 });
  const enc = new StepEncoder(gpu);
  model.recordClearGrads(enc);
  masking.record(enc);
  model.recordForward(enc);
  model.recordBackward(enc);
  enc.submit();
  return { tokens, attn };
}
