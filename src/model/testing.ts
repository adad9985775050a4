// Test helper shared by the whole-model gradient checks: a batch of random ordinary tokens in
// [CLS] … [SEP] rows, every other row padded, so masking, attention masks and padding all matter.
import { Rng } from '../data/prng.ts';

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
