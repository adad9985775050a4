// The MAE's forward-only plan for another visible count (predictor.ts) against the float64 model:
// on the training model's own parameters (read in place, not copied), with K = 8 of 16 patches
// while the model trains with K = 4, the loss, the per-patch losses and the reconstruction match
// the reference; with the training K it gives the training forward's loss bit for bit; and after
// the training parameters change it sees the new ones.
import { describe, expect, it } from 'vitest';
import { readF32 } from '../../gpu/readback.ts';
import { StepEncoder } from '../../gpu/step-encoder.ts';
import { testGpu } from '../../gpu/testing.ts';
import { presetConfig } from '../../model/config.ts';
import { scaledMaxRelError } from '../../reference/compare.ts';
import { DEFAULT_MAE } from './config.ts';
import { initMaeParams } from './layout.ts';
import { maeRandomMasks, randomImages, toFloat64 } from './mae-testing.ts';
import { createMaeModel } from './model.ts';
import { createMaePredictor } from './predictor.ts';
import { maeForwardBackward } from './reference.ts';

describe('MAE predictor (forward-only plan at another K)', () => {
  it('matches the float64 model at K = 8 on the training parameters, and the training forward at its own K', async () => {
    const gpu = await testGpu();
    const cfg = presetConfig('bert-micro');
    cfg.model = { ...cfg.model, L: 2, C: 16, NH: 2, FFN: 32, layerNormEps: 1e-6, initStd: 0.1 };
    cfg.train = { ...cfg.train, batch: 2 };
    const mae = { ...DEFAULT_MAE, patch: 2, decoderWidth: 16, decoderLayers: 1, decoderHeads: 2, decoderFfn: 32, maskRatio: 0.75 };
    const image = { H: 8, W: 8, Cimg: 1 };
    const model = await createMaeModel(gpu, cfg, mae, image);
    expect(model.shape.K).toBe(4);
    const params = initMaeParams(model.params, cfg.model.initStd, 3);
    model.uploadParams(params);
    const eps = cfg.model.layerNormEps;
    const half = await createMaePredictor(gpu, model, 8, eps);
    const same = await createMaePredictor(gpu, model, 4, eps);
    const images = randomImages(model.shape, 9);

    // K = 8 against the reference.
    const m8 = maeRandomMasks(half.shape, 0.5, 21, 0);
    half.uploadImages(images);
    half.uploadMask(m8.mask, m8.keep);
    let enc = new StepEncoder(gpu);
    half.recordForward(enc);
    enc.submit();
    const ref = maeForwardBackward(toFloat64(params), half.shape, eps, false, { images, ...m8 });
    const loss8 = (await readF32(gpu, half.t('mae.loss')))[0]!;
    console.log(`predictor K=8: loss ${loss8} reference ${ref.loss}`);
    expect(Math.abs(loss8 - ref.loss) / ref.loss).toBeLessThan(1e-4);
    expect(scaledMaxRelError(await readF32(gpu, half.t('mae.losses')), ref.losses)).toBeLessThan(1e-4);
    expect(scaledMaxRelError(await readF32(gpu, half.t('mae.pred')), ref.pred)).toBeLessThan(1e-4);

    // K = 4: the training model's own forward, bit for bit.
    const m4 = maeRandomMasks(model.shape, 0.75, 21, 1);
    model.uploadImages(images);
    model.uploadMask(m4.mask, m4.keep);
    same.uploadImages(images);
    same.uploadMask(m4.mask, m4.keep);
    enc = new StepEncoder(gpu);
    model.recordForward(enc);
    same.recordForward(enc);
    enc.submit();
    expect(Array.from(await readF32(gpu, same.t('mae.losses')))).toEqual(Array.from(await readF32(gpu, model.t('mae.losses'))));

    // New training parameters are what the predictor reads next.
    const next = initMaeParams(model.params, cfg.model.initStd, 4);
    model.uploadParams(next);
    enc = new StepEncoder(gpu);
    half.recordForward(enc);
    enc.submit();
    const ref2 = maeForwardBackward(toFloat64(next), half.shape, eps, false, { images, ...m8 });
    expect(Math.abs((await readF32(gpu, half.t('mae.loss')))[0]! - ref2.loss) / ref2.loss).toBeLessThan(1e-4);
    half.destroy();
    same.destroy();
    model.destroy();
  });
});
