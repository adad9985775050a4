import { describe, expect, it } from 'vitest';
import { buildImageDataset } from '../../data/image-batches.ts';
import { makeShapes } from '../../data/shapes.ts';
import { imageMaskPlan } from '../../masking/image-tables.ts';
import { parseImageMaskingConfig } from '../../masking/image-registry.ts';
import { imageMasksReference } from '../../masking/image.ts';
import { mseForward } from '../../reference/mse.ts';
import { patchify } from '../../reference/patchify.ts';
import { meanPatches, meanPatchMse } from './baseline.ts';

const data = buildImageDataset(makeShapes({ seed: 2, N: 300, heldOut: 60 }), { seed: 1 });
const train = data.batch(0, 120);
const evalRows = data.evalSet;
const p = 4;
const L = 49;
const PD = 16;
const mask = imageMasksReference(imageMaskPlan(parseImageMaskingConfig('mae-random', { ratio: 0.75 }).config!, { gh: 7, gw: 7 }, 99), evalRows.B, 0).mask;

describe('mean-patch baseline', () => {
  it.each([false, true])('equals the reference MSE of predicting the mean patch at every position (normPixLoss %s)', (normPixLoss) => {
    const mean = meanPatches(train, p, normPixLoss);
    const pred = new Float64Array(evalRows.B * L * PD);
    for (let b = 0; b < evalRows.B; b++) pred.set(mean, b * L * PD);
    const target = patchify(evalRows.pixels, { B: evalRows.B, H: 28, W: 28, Cimg: 1, p });
    const ref = mseForward(pred, target, mask, evalRows.B, L, PD, { normPixLoss }).loss;
    const got = meanPatchMse(evalRows, p, mean, mask, normPixLoss);
    expect(got).toBeGreaterThan(0);
    expect(Math.abs(got - ref)).toBeLessThan(1e-12 * Math.max(1, ref));
  });

  it('is 0 on a set of identical images, and the mean is the per-position average', () => {
    const same = { B: 3, H: 4, W: 4, C: 1, pixels: new Float32Array(48).map((_, i) => (i % 16) / 16) };
    const mean = meanPatches(same, 2, false);
    expect(Array.from(mean.subarray(0, 4))).toEqual([0, 1 / 16, 4 / 16, 5 / 16]); // patch 0 = pixels (0,0) (0,1) (1,0) (1,1)
    expect(meanPatchMse(same, 2, mean, new Uint32Array(12).fill(1), false)).toBe(0);
  });

  it('refuses a patch size that does not divide the image and a mask of the wrong size', () => {
    expect(() => meanPatches(train, 5, false)).toThrow('patch size 5 must divide the image size 28×28');
    expect(() => meanPatchMse(evalRows, p, meanPatches(train, p, false), new Uint32Array(3), false)).toThrow('mask has 3 entries');
  });
});
