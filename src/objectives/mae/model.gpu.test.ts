// Whole-model gradient check for the masked autoencoder: one GPU forward + backward of a tiny MAE
// against the float64 reference (reference.ts) on the same weights, images and masks (MAE random
// masks from the image masks' CPU twin). The loss, the per-patch losses and every parameter
// gradient must match (max scaled relative error ≤ 1e-3, floor 1e-3·max|grad|), with raw and with
// normalised pixel targets, on both kernel profiles. Then a falling-loss check: a few AdamW steps
// on a fixed batch under fresh masks every step.
import { describe, expect, it } from 'vitest';
import { StepEncoder } from '../../gpu/step-encoder.ts';
import { readF32 } from '../../gpu/readback.ts';
import { testGpu } from '../../gpu/testing.ts';
import { presetConfig, type RunConfig } from '../../model/config.ts';
import { maxAbsDiff, scaledMaxRelError } from '../../reference/compare.ts';
import { patchify } from '../../reference/patchify.ts';
import { DEFAULT_MAE, type MaeConfig } from './config.ts';
import { initMaeParams, type ImageShape } from './layout.ts';
import { maeRandomMasks, randomImages, toFloat64 } from './mae-testing.ts';
import { createMaeModel } from './model.ts';
import { maeForwardBackward } from './reference.ts';

/** Encoder 2 layers × 16 wide, 2 heads; decoder 1 layer × 16, 2 heads; 2 images; initStd 0.1 so attention and GELU are not trivial. */
function tinyConfig(): RunConfig {
  const cfg = presetConfig('bert-micro');
  cfg.model = { ...cfg.model, L: 2, C: 16, NH: 2, FFN: 32, layerNormEps: 1e-6, initStd: 0.1 };
  cfg.train = { ...cfg.train, batch: 2 };
  return cfg;
}
const tinyMae = (normPixLoss: boolean): MaeConfig => ({ ...DEFAULT_MAE, patch: 2, decoderWidth: 16, decoderLayers: 1, decoderHeads: 2, decoderFfn: 32, normPixLoss, maskRatio: 0.75 });

// 8×8 grey (a 4×4 grid: L = 16, K = 4, PD = 4), and 6×8 with 2 channels (a 3×4 grid: L = 12, K = 3,
// PD = 8) for a grid that is not square and patches with channels.
const CASES: [string, 'gpu' | 'cpu', boolean, ImageShape][] = [
  // Each kernel profile once, each loss target once (CI time).
  ['8×8×1, raw pixels', 'gpu', false, { H: 8, W: 8, Cimg: 1 }],
  ['6×8×2, normPixLoss', 'cpu', true, { H: 6, W: 8, Cimg: 2 }],
];

describe('MAE gradient check (GPU vs float64 reference)', () => {
  it.each(CASES)('%s (%s kernel profile): loss and every parameter gradient match to ≤ 1e-3', async (label, profile, normPixLoss, image) => {
    const gpu = await testGpu();
    const before = gpu.profile;
    gpu.profile = profile;
    const cfg = tinyConfig();
    const mae = tinyMae(normPixLoss);
    const model = await createMaeModel(gpu, cfg, mae, image).finally(() => (gpu.profile = before));
    const s = model.shape;
    const params = initMaeParams(model.params, cfg.model.initStd, 11);
    model.uploadParams(params);
    const images = randomImages(s, 5);
    const { mask, keep } = maeRandomMasks(s, mae.maskRatio, 17, 3);
    model.uploadImages(images);
    model.uploadMask(mask, keep);
    const enc = new StepEncoder(gpu);
    model.recordClearGrads(enc);
    model.recordForward(enc);
    model.recordBackward(enc);
    enc.submit();

    const ref = maeForwardBackward(toFloat64(params), s, cfg.model.layerNormEps, normPixLoss, { images, mask, keep });
    expect(maxAbsDiff(await readF32(gpu, model.t('mae.patches')), patchify(images, { B: s.B, H: s.H, W: s.W, Cimg: s.Cimg, p: s.p }))).toBe(0);
    const rows: string[] = [];
    let worst = 0;
    for (const p of model.params) {
      const got = await readF32(gpu, model.t(`d:${p.name}`));
      const want = ref.grads.get(p.name);
      expect(want, p.name).toBeDefined();
      const err = scaledMaxRelError(got, want!);
      worst = Math.max(worst, err);
      rows.push(`${p.name.padEnd(18)} [${p.shape.join('×')}]`.padEnd(34) + ` max rel err ${err.toExponential(2)}`);
      expect(err, p.name).toBeLessThanOrEqual(1e-3);
    }
    const loss = (await readF32(gpu, model.t('mae.loss')))[0]!;
    const lossesErr = scaledMaxRelError(await readF32(gpu, model.t('mae.losses')), ref.losses);
    const predErr = scaledMaxRelError(await readF32(gpu, model.t('mae.pred')), ref.pred);
    console.log(
      `MAE gradient check, ${label} (${profile} profile; B=${s.B} L=${s.L} K=${s.K} PD=${s.PD} E=${s.E} Ed=${s.Ed}):\n${rows.join('\n')}\n` +
        `worst ${worst.toExponential(2)}; loss gpu ${loss} reference ${ref.loss}; per-patch losses ${lossesErr.toExponential(2)}, pred ${predErr.toExponential(2)}`,
    );
    expect(Math.abs(loss - ref.loss) / ref.loss).toBeLessThan(1e-4);
    expect(lossesErr).toBeLessThan(1e-4);
    expect(predErr).toBeLessThan(1e-4);
    model.destroy();
  });

  it('the loss falls: 30 AdamW steps on a fixed batch of 4 images, fresh masks every step', async () => {
    const gpu = await testGpu();
    const cfg = tinyConfig();
    cfg.train = { ...cfg.train, batch: 4, maxGradNorm: 1, weightDecay: 0 };
    const model = await createMaeModel(gpu, cfg, tinyMae(false), { H: 8, W: 8, Cimg: 1 });
    const s = model.shape;
    model.uploadParams(initMaeParams(model.params, cfg.model.initStd, 2));
    model.uploadImages(randomImages(s, 8));
    const losses: number[] = [];
    for (let step = 0; step < 30; step++) {
      const { mask, keep } = maeRandomMasks(s, 0.75, 23, step);
      model.uploadMask(mask, keep);
      model.setStep(step, 3e-3);
      const enc = new StepEncoder(gpu);
      model.recordTrainStep(enc);
      enc.submit();
      if (step < 3 || step >= 27) losses.push((await readF32(gpu, model.t('mae.loss')))[0]!);
    }
    const first = (losses[0]! + losses[1]! + losses[2]!) / 3;
    const last = (losses[3]! + losses[4]! + losses[5]!) / 3;
    console.log(`MAE falling loss: mean of steps 0–2 ${first.toFixed(4)}, of steps 27–29 ${last.toFixed(4)}`);
    expect(last).toBeLessThan(0.6 * first);
    model.destroy();
  });
});
