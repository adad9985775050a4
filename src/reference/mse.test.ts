// Proves the float64 masked-patch MSE backward against central differences of its forward, with
// and without norm_pix_loss, and the unbiased variance of norm_pix_loss (torch's .var()).
import { describe, expect, it } from 'vitest';
import { Rng } from '../data/prng.ts';
import { fdError } from './finite-diff.ts';
import { mseBackward, mseForward, mseTargets } from './mse.ts';

describe('masked MSE reference (central differences, float64)', () => {
  it.each([false, true])('backward matches finite differences, normPixLoss=%s', (normPixLoss) => {
    const [B, L, PD] = [2, 5, 6];
    const rng = new Rng(11, normPixLoss ? 1 : 0);
    const pred = Float64Array.from(rng.uniformArray(B * L * PD, -1, 1));
    const target = Float64Array.from(rng.uniformArray(B * L * PD, 0, 1));
    const mask = new Uint32Array([1, 0, 1, 1, 0, 0, 0, 1, 0, 0]); // 3 and 1 masked: counts differ per image
    const o = { normPixLoss };
    const loss = () => mseForward(pred, target, mask, B, L, PD, o).loss;
    const dpred = mseBackward(pred, target, mask, B, L, PD, o);
    const err = fdError(dpred, pred, loss);
    console.log(`mse FD normPixLoss=${normPixLoss}: dpred ${err.toExponential(2)}`);
    expect(err).toBeLessThan(1e-8);
  });

  it('norm_pix_loss uses the unbiased variance, as torch.var does', () => {
    // Patch [0, 2]: mean 1, unbiased var (1 + 1)/1 = 2 → t' = ∓1/sqrt(2 + eps).
    const t = mseTargets([0, 2], 1, 2, { normPixLoss: true, eps: 0 });
    expect(t[0]).toBeCloseTo(-Math.SQRT1_2, 12);
    expect(t[1]).toBeCloseTo(Math.SQRT1_2, 12);
  });
});
