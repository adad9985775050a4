// A masked autoencoder trains on MNIST in a CI-sized run (issue [K]): the trainer draws the masks
// on the GPU, trains, and scores the held-out digits under the fixed 75% mask. In 150 steps the
// fixed-mask MSE must fall from the untrained model's (≈ 1.7× the mean-patch baseline) to within
// 10% of the baseline (predicting the average digit's patch at every hidden position), and the
// own-mask score must agree with it for a run that trains at 75%.
// Measured here (SwiftShader, this config at B = 16, p = 7): 0.999 of the baseline at 250 steps,
// 0.938 at 1,500; predicting each digit's class-mean patches (an oracle that knows the label)
// reaches 0.784. So the issue's "≤ 50% of the baseline in a CI-sized run" is out of reach at this
// size on a CPU adapter; the README says so, with the numbers.
import { describe, expect, it } from 'vitest';
import { buildImageDataset } from '../data/image-batches.ts';
import { fetchImageSet } from '../data/images.ts';
import { makeShapes } from '../data/shapes.ts';
import { testGpu } from '../gpu/testing.ts';
import { parseImageMaskingConfig } from '../masking/image-registry.ts';
import { presetConfig } from '../model/config.ts';
import { DEFAULT_MAE } from '../objectives/mae/config.ts';
import { ImageTrainer, type ImageRunConfig } from './image-trainer.ts';

function microConfig(steps: number): ImageRunConfig {
  const base = presetConfig('bert-micro');
  return {
    model: { ...base.model, L: 2, C: 32, NH: 2, FFN: 64, layerNormEps: 1e-6, initStd: 0.02 },
    train: { ...base.train, batch: 16, steps, lr: 3e-3, warmupSteps: 20, decay: 'cosine', weightDecay: 0.05, logEvery: 25, evalBatches: 8, beta2: 0.95 },
    mae: { ...DEFAULT_MAE, patch: 7 },
    masking: parseImageMaskingConfig('mae-random', { ratio: 0.75 }).config!,
  };
}

describe('ImageTrainer (masked autoencoder on the GPU)', () => {
  it('trains on MNIST: held-out fixed-mask MSE falls from ≈ 1.7× to within 10% of the mean-patch baseline in 150 steps', async () => {
    const gpu = await testGpu();
    const set = await fetchImageSet(new URL('/data/mnist.bin', location.origin));
    const cfg = microConfig(150);
    const data = buildImageDataset(set, { seed: 1, evalCount: cfg.train.evalBatches * cfg.train.batch });
    const t = await ImageTrainer.create(gpu, cfg, data);
    const start = await t.evaluate();
    const t0 = performance.now();
    await t.train(cfg.train.steps);
    const ms = performance.now() - t0;
    const end = await t.evaluate();
    console.log(`mnist MAE: ${cfg.train.steps} steps in ${(ms / 1000).toFixed(1)} s; baseline ${t.baselineMse.toFixed(4)}; fixed-mask MSE ${start.fixedMse.toFixed(4)} → ${end.fixedMse.toFixed(4)} (${(end.fixedMse / t.baselineMse).toFixed(3)} of the baseline); own-mask ${end.ownMse.toFixed(4)}`);
    console.log(`losses: ${t.losses.map((l) => `${l.step}:${l.loss.toFixed(4)}`).join(' ')}`);
    expect(start.fixedMse).toBeGreaterThan(1.3 * t.baselineMse);
    expect(end.fixedMse).toBeLessThan(1.1 * t.baselineMse);
    // At 75% the run's own mask is drawn like the fixed one: the two scores measure the same thing.
    expect(Math.abs(end.ownMse - end.fixedMse)).toBeLessThan(0.15 * end.fixedMse);
    t.destroy();
  });

  it('refuses a mask whose count varies per image, and a patch size that does not divide the image, saying what to choose', async () => {
    const gpu = await testGpu();
    const data = buildImageDataset(makeShapes({ seed: 1, N: 200, heldOut: 32 }), { seed: 1, evalCount: 32 });
    const cfg = microConfig(1);
    await expect(ImageTrainer.create(gpu, { ...cfg, masking: parseImageMaskingConfig('blockwise', {}).config! }, data)).rejects.toThrow('choose MAE random or grid masking');
    await expect(ImageTrainer.create(gpu, { ...cfg, mae: { ...cfg.mae, patch: 5 } }, data)).rejects.toThrow("The patch size 5 must divide the images' 28×28: choose 2, 4, 7, 14.");
  });
});
