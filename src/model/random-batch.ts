// A seeded batch of random ordinary tokens in [CLS] … [SEP] rows, every other row padded (so
// masking, attention masks and padding all matter), and the same batch uploaded to a model and
// masked by the [B] random kernel: for the benchmarks and the gradient checks, which need a real
// masked batch without a dataset.
import { Rng } from '../data/prng.ts';
import { CLS_ID, NUM_SPECIAL, SEP_ID } from '../data/special-tokens.ts';
import type { PreparedOp } from '../gpu/op-context.ts';
import { prepareRandomMasking } from '../masking/random.ts';
import type { BertModel } from './bert.ts';

export function randomBatch(B: number, T: number, V: number, seed: number): { tokens: Uint32Array; mask: Uint32Array } {
  const rng = new Rng(seed, 77);
  const tokens = new Uint32Array(B * T);
  const mask = new Uint32Array(B * T);
  for (let b = 0; b < B; b++) {
    const len = b % 2 === 0 ? T : Math.max(4, T - 3 - rng.int(T / 2));
    for (let t = 0; t < len; t++) {
      tokens[b * T + t] = t === 0 ? CLS_ID : t === len - 1 ? SEP_ID : NUM_SPECIAL + rng.int(V - NUM_SPECIAL);
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
