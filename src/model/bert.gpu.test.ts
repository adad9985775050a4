// Whole-model gradient check: one GPU forward + backward of a bert-micro-sized model against the
// float64 reference model (src/reference/bert.ts) on the same weights and the same GPU-made mask.
// Every parameter gradient must match to max relative error ≤ 1e-3 (floor 1e-3·max|grad|).
import { describe, expect, it } from 'vitest';
import { readF32, readU32 } from '../gpu/readback.ts';
import { testGpu } from '../gpu/testing.ts';
import { bertForwardBackward } from '../reference/bert.ts';
import { scaledMaxRelError } from '../reference/compare.ts';
import { createBert } from './bert.ts';
import { presetConfig } from './config.ts';
import { initParams } from './init.ts';
import { forwardBackwardOnRandomBatch } from './testing.ts';
import { paramSpecs } from './layout.ts';


describe('bert-micro gradient check (GPU vs float64 reference)', () => {
  // Launchers pick kernel variants by profile (tiled for GPUs, barrier-free for CPU adapters):
  // check the whole model with each, whatever adapter the test runs on.
  it.each(['gpu', 'cpu'] as const)('every parameter gradient matches to ≤ 1e-3 relative error (%s kernel profile)', async (profile) => {
    const gpu = await testGpu();
    const before = gpu.profile;
    gpu.profile = profile;
    const cfg = presetConfig('bert-micro');
    cfg.model.initStd = 0.1; // larger weights than 0.02 make attention and GELU non-trivial
    cfg.train.batch = 3;
    // More masked rows, and more random replacements, so every head parameter gets signal.
    cfg.masking = { strategy: 'random', params: { rate: 0.3, randomProb: 0.2 } };
    const V = 40;
    const model = await createBert(gpu, cfg, V).finally(() => (gpu.profile = before));
    const { B, P } = model.shape;
    const { T } = cfg.model;
    const params = initParams(cfg.model, V, 11);
    model.uploadParams(params);
    const { attn } = await forwardBackwardOnRandomBatch(gpu, model, { T, V }, { maskProb: 0.7, randomProb: 0.2 }, 0);

    const batch = {
      inputs: await readU32(gpu, model.t('inputs')),
      mask: attn,
      positions: await readU32(gpu, model.t('positions')),
      targets: await readU32(gpu, model.t('targets')),
      weights: Float64Array.from(await readF32(gpu, model.t('weights'))),
    };
    const p64 = new Map([...params].map(([k, v]) => [k, Float64Array.from(v)]));
    const ref = bertForwardBackward(p64, cfg.model, V, B, P, batch);
    const metrics = await readF32(gpu, model.t('metrics'));

    const rows: string[] = [];
    let worst = 0;
    for (const p of paramSpecs(cfg.model, V)) {
      const got = await readF32(gpu, model.t(`d:${p.name}`));
      const want = ref.grads.get(p.name)!;
      const err = scaledMaxRelError(got, want);
      worst = Math.max(worst, err);
      rows.push(`${p.name.padEnd(14)} [${p.shape.join('×')}]`.padEnd(32) + ` max rel err ${err.toExponential(2)}`);
      expect(err, p.name).toBeLessThanOrEqual(1e-3);
    }
    console.log(`gradient check (${profile} profile), bert-micro (L=${cfg.model.L} C=${cfg.model.C} NH=${cfg.model.NH} T=${T} B=${B} V=${V}):\n${rows.join('\n')}\nworst ${worst.toExponential(2)}`);
    console.log(`loss gpu ${metrics[0]} reference ${ref.loss}`);
    expect(Math.abs(metrics[0]! - ref.loss) / ref.loss).toBeLessThan(1e-4);
    expect(Math.abs(metrics[1]! - ref.accuracy)).toBeLessThan(1e-6);
    model.destroy();
  });
});
