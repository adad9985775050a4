// The float64 MAE step (reference.ts) against central differences of its own loss, for every
// parameter of a very small model: the GPU gradient check trusts this reference, so it is proved
// here first (also the [CLS] and mask-token paths, and norm_pix_loss).
import { describe, expect, it } from 'vitest';
import { fdError } from '../../reference/finite-diff.ts';
import { DEFAULT_MAE } from './config.ts';
import { initMaeParams, maeParams, maeShape } from './layout.ts';
import { maeRandomMasks, randomImages, toFloat64 } from './mae-testing.ts';
import { maeForwardBackward } from './reference.ts';

describe('MAE float64 reference', () => {
  it.each([false, true])('every parameter gradient equals central differences (normPixLoss %s)', (normPixLoss) => {
    const mae = { ...DEFAULT_MAE, patch: 2, decoderWidth: 8, decoderLayers: 1, decoderHeads: 2, decoderFfn: 8, normPixLoss, maskRatio: 0.5 };
    // 4×6 grey images, p = 2: a 2×3 grid, L = 6, PD = 4, K = 3.
    const s = maeShape({ L: 1, C: 8, NH: 2, FFN: 8 }, mae, 2, { H: 4, W: 6, Cimg: 1 });
    expect([s.L, s.K, s.PD]).toEqual([6, 3, 4]);
    const params = toFloat64(initMaeParams(maeParams(s), 0.3, 4));
    // Non-trivial LayerNorm affine parameters and biases, so their gradients are tested too.
    for (const [name, v] of params) if (/\.(b|w)$/.test(name) && v.every((x) => x === 0 || x === 1)) v.forEach((x, i) => (v[i] = x + 0.1 * Math.sin(3 * i + name.length)));
    const batch = { images: randomImages(s, 7), ...maeRandomMasks(s, mae.maskRatio, 9, 3) };
    const eps = 1e-5;
    const ref = maeForwardBackward(params, s, eps, normPixLoss, batch);
    expect(ref.loss).toBeGreaterThan(0);
    for (const [name, v] of params) {
      const err = fdError(ref.grads.get(name)!, v, () => maeForwardBackward(params, s, eps, normPixLoss, batch).loss);
      expect(err, name).toBeLessThan(1e-6);
    }
  });
});
