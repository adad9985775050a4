// Test helper shared by the whole-model gradient checks: one forward + backward on a random
// masked batch (random-batch.ts).
import type { Gpu } from '../gpu/device.ts';
import { StepEncoder } from '../gpu/step-encoder.ts';
import type { BertModel } from './bert.ts';
import { randomMaskedBatch } from './random-batch.ts';

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
