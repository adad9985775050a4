// ELECTRA's whole-step gradient check: one GPU forward + backward of an electra-micro-sized model
// (generator, Gumbel samples, replace, discriminator, BCE·λ, both backwards) against the float64
// reference (src/reference/electra-model.ts) on the same weights, mask and samples. Every
// parameter gradient must match to ≤ 1e-3 relative error, including the shared embeddings (the
// sum of both paths); the labels must be exactly "masked and sampled ≠ original".
import { describe, expect, it } from 'vitest';
import { readF32, readU32 } from '../gpu/readback.ts';
import { testGpu } from '../gpu/testing.ts';
import { electraForwardBackward } from '../reference/electra-model.ts';
import { replaceTokensReference } from '../reference/electra.ts';
import { scaledMaxRelError } from '../reference/compare.ts';
import { presetConfig, type ElectraConfig } from './config.ts';
import { createElectra } from './electra.ts';
import { initSpecs } from './init.ts';
import { forwardBackwardOnRandomBatch } from './testing.ts';


type Variant = [name: string, profile: 'gpu' | 'cpu', electra: Partial<ElectraConfig>];
const variants: Variant[] = [
  ['tied embeddings, generator 1/4 (gpu profile)', 'gpu', {}],
  ['tied embeddings, generator 1/4 (cpu profile)', 'cpu', {}],
  ['untied, generator 1/2, ELECTRA-15%, T=0.5, disallow-correct', 'cpu', { tiedEmbeddings: false, genFraction: 0.5, maskedOnly: true, temperature: 0.5, disallowCorrect: true }],
  ['uniform generator (no generator parameters)', 'cpu', { uniformGenerator: true }],
];

describe('electra-micro gradient check (GPU vs float64 reference)', () => {
  it.each(variants)('%s', async (name, profile, over) => {
    const gpu = await testGpu();
    const before = gpu.profile;
    gpu.profile = profile;
    const cfg = presetConfig('electra-micro');
    cfg.model.initStd = 0.1;
    cfg.train.batch = 3;
    cfg.electra = { ...cfg.electra, ...over };
    cfg.masking = { strategy: 'random', params: { rate: 0.3 } };
    const V = 40;
    const model = await createElectra(gpu, cfg, V).finally(() => (gpu.profile = before));
    const { B, P } = model.shape;
    const { T } = cfg.model;
    const params = initSpecs(model.params, cfg.model.initStd, 11);
    model.uploadParams(params);
    const { tokens, attn } = await forwardBackwardOnRandomBatch(gpu, model, { T, V }, { maskProb: 0.85, randomProb: 0 }, 3);
    const t = model.t;

    const u32 = (n: string) => readU32(gpu, t(n));
    const f64 = async (n: string) => Float64Array.from(await readF32(gpu, t(n)));
    const positions = await u32('positions');
    const targets = await u32('targets');
    const weights = await f64('weights');
    const sampled = await u32('electra.sampled');
    const discInputs = await u32('disc.inputs');
    const labels = await f64('disc.labels');
    const lossWeights = await f64('disc.loss_weights');

    // Labels, discriminator inputs and loss weights exactly as the CPU reference derives them.
    const want = replaceTokensReference(tokens, attn, positions, targets, weights, sampled, B, T, P, cfg.electra.maskedOnly);
    expect([...discInputs]).toEqual([...want.discInputs]);
    expect([...labels]).toEqual([...want.labels]);
    expect([...lossWeights]).toEqual([...want.lossWeights]);
    expect([...(await u32('electra.stats'))]).toEqual([...want.stats]);
    let replaced = 0;
    for (let i = 0; i < B * P; i++) {
      if (weights[i] === 0) continue;
      const at = Math.floor(i / P) * T + positions[i]!;
      expect(labels[at]).toBe(sampled[i] !== tokens[at] ? 1 : 0);
      replaced += labels[at]!;
    }
    expect(replaced).toBeGreaterThan(0); // the discriminator sees positives

    const batch = { inputs: await u32('inputs'), mask: attn, positions, targets, weights, discInputs, labels, lossWeights };
    const p64 = new Map([...params].map(([k, v]) => [k, Float64Array.from(v)]));
    const ref = electraForwardBackward(p64, cfg.model, cfg.electra, V, B, P, batch);
    const rows: string[] = [];
    let worst = 0;
    for (const p of model.params) {
      const got = await readF32(gpu, t(`d:${p.name}`));
      const err = scaledMaxRelError(got, ref.grads.get(p.name)!);
      worst = Math.max(worst, err);
      rows.push(`${p.name.padEnd(20)} [${p.shape.join('×')}]`.padEnd(36) + ` max rel err ${err.toExponential(2)}`);
      expect(err, p.name).toBeLessThanOrEqual(1e-3);
    }
    const gen = await readF32(gpu, t('metrics'));
    const disc = await readF32(gpu, t('disc.metrics'));
    console.log(`electra gradient check: ${name}\n${rows.join('\n')}\nworst ${worst.toExponential(2)}; generator loss gpu ${gen[0]} ref ${ref.genLoss}; disc loss gpu ${disc[0]} ref ${ref.discLoss}`);
    expect(Math.abs(gen[0]! - ref.genLoss)).toBeLessThanOrEqual(1e-4 * Math.max(1, ref.genLoss));
    expect(Math.abs(disc[0]! - ref.discLoss) / ref.discLoss).toBeLessThan(1e-4);
    model.destroy();
  });
});
