// Whole-objective gradient check for position prediction: one GPU forward + backward of a
// bert-micro-sized position model against the float64 reference (reference.ts) on the same
// weights, batch and GPU-drawn context mask (itself checked against its CPU twin). Every
// parameter gradient must match to max relative error ≤ 1e-3 (floor 1e-3·max|grad|).
import { describe, expect, it } from 'vitest';
import { Rng } from '../../data/prng.ts';
import { StepEncoder } from '../../gpu/step-encoder.ts';
import { readF32, readU32 } from '../../gpu/readback.ts';
import { testGpu } from '../../gpu/testing.ts';
import { presetConfig } from '../../model/config.ts';
import { initSpecs } from '../../model/init.ts';
import { scaledMaxRelError } from '../../reference/compare.ts';
import { positionContextReference } from '../../reference/position.ts';
import { contextSeed, createPositionModel } from './model.ts';
import { positionForwardBackward } from './reference.ts';

describe('position prediction gradient check (GPU vs float64 reference)', () => {
  it.each(['gpu', 'cpu'] as const)('every parameter gradient matches to ≤ 1e-3 relative error (%s kernel profile)', async (profile) => {
    const gpu = await testGpu();
    const before = gpu.profile;
    gpu.profile = profile;
    const cfg = presetConfig('bert-micro');
    cfg.objective = 'position';
    Object.assign(cfg, { position: { eta: 0.5 } });
    cfg.model.initStd = 0.1; // larger weights than 0.02 make attention and GELU non-trivial
    cfg.train.batch = 3;
    const V = 40;
    const model = await createPositionModel(gpu, cfg, V).finally(() => (gpu.profile = before));
    const { B } = model.shape;
    const { T } = cfg.model;
    const params = initSpecs(model.params, cfg.model.initStd, 11);
    model.uploadParams(params);
    expect(model.params.some((p) => p.name === 'emb.wpe')).toBe(false);

    // Rows of different lengths ([CLS] … [SEP] then padding), ids from the ordinary range.
    const rng = new Rng(5, 2);
    const lengths = [T, Math.floor(T / 2) + 1, 5];
    const tokens = new Uint32Array(B * T);
    const real = new Uint32Array(B * T);
    lengths.forEach((n, b) => {
      for (let t = 0; t < n; t++) {
        tokens[b * T + t] = 5 + (rng.u32() % (V - 5));
        real[b * T + t] = 1;
      }
    });
    model.uploadBatch(tokens, real);
    model.setStep(7, 0);
    const enc = new StepEncoder(gpu);
    model.recordClearGrads(enc);
    model.recordForward(enc);
    model.recordBackward(enc);
    enc.submit();

    const context = await readU32(gpu, model.t('attn_mask'));
    expect(Array.from(context)).toEqual(Array.from(positionContextReference(real, B, T, contextSeed(cfg.train.seed), 7, 0.5)));
    const p64 = new Map([...params].map(([k, v]) => [k, Float64Array.from(v)]));
    const ref = positionForwardBackward(p64, cfg.model, V, B, { tokens, real, context });

    const rows: string[] = [];
    for (const p of model.params) {
      const got = await readF32(gpu, model.t(`d:${p.name}`));
      const want = ref.grads.get(p.name)!;
      const err = scaledMaxRelError(got, want);
      rows.push(`${p.name.padEnd(14)} [${p.shape.join('×')}]`.padEnd(32) + ` max rel err ${err.toExponential(2)}`);
      expect(err, p.name).toBeLessThanOrEqual(1e-3);
    }
    const metrics = await readF32(gpu, model.t('metrics'));
    const error = await readF32(gpu, model.t('pos.error'));
    console.log(`gradient check (${profile} profile), position (T=${T} B=${B} V=${V}):\n${rows.join('\n')}\nloss gpu ${metrics[0]} reference ${ref.loss}; error gpu ${error[0]! / error[1]!} reference ${ref.error}`);
    expect(Math.abs(metrics[0]! - ref.loss) / ref.loss).toBeLessThan(1e-4);
    expect(Math.abs(metrics[1]! - ref.accuracy)).toBeLessThan(1e-6);
    expect(error[1]).toBe(lengths.reduce((a, b) => a + b, 0));
    expect(error[0]! / error[1]!).toBeCloseTo(ref.error, 6);
    model.destroy();
  });
});
