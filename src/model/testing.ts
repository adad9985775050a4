// Test helpers shared by the whole-model gradient checks: a batch of random ordinary tokens in
// [CLS] … [SEP] rows, every other row padded, so masking, attention masks and padding all matter.
import { Rng } from '../data/prng.ts';
import type { Gpu } from '../gpu/device.ts';
import { StepEncoder } from '../gpu/encoder.ts';
import { prepareRandomMasking } from '../masking/random.ts';
import type { BertModel } from './bert.ts';

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
  const { B, P } = model.shape;
  const { T, V } = shape;
  const { tokens, mask: attn } = randomBatch(B, T, V, 5);
  model.uploadBatch(tokens, attn);
  model.setStep(step, 0);
  const t = model.t;
  const masking = await prepareRandomMasking(
    model.ctx,
    { tokens: t('tokens'), inputs: t('inputs'), positions: t('positions'), targets: t('targets'), weights: t('weights'), record: t('record') },
    { B, T, P },
    { rate: 0.3, maxPredictions: P, ...corruption, vocabSize: V, seed: 9 },
  );
  masking.setStep(0);
  const enc = new StepEncoder(gpu);
  model.recordClearGrads(enc);
  masking.record(enc);
  model.recordForward(enc);
  model.recordBackward(enc);
  enc.submit();
  return { tokens, attn };
}
