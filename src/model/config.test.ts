import { describe, expect, it } from 'vitest';
import { generatorDims, maskingOf, maxPredictions, presetConfig, PRESETS, validateConfig } from './config.ts';
import { initParams } from './init.ts';
import { activationSpecs, parameterCount, paramSpecs, planModel } from './layout.ts';

describe('config', () => {
  it('every preset is valid', () => {
    for (const p of PRESETS) expect(validateConfig(p.config), p.id).toEqual([]);
  });

  it('bert-tiny has the shape the issue asks for', () => {
    const m = presetConfig('bert-tiny').model;
    expect([m.L, m.C, m.NH, m.FFN, m.T]).toEqual([2, 128, 2, 512, 128]);
  });

  it('reports each bad value with its field and range', () => {
    const c = presetConfig('bert-micro');
    c.model.C = 30;
    c.model.NH = 4; // 30 is not divisible by 4
    c.train.lr = -1;
    c.masking = { strategy: 'random', params: { rate: 0.9, nope: 1 } };
    const fields = validateConfig(c).map((p) => p.field);
    expect(fields).toEqual(expect.arrayContaining(['model.NH', 'train.lr', 'masking.rate', 'masking.nope']));
    expect(validateConfig(c).find((p) => p.field === 'masking.rate')!.message).toMatch(/from 0.05 to 0.8/);
    c.masking = { strategy: 'random', params: { maskProb: 0.95 } };
    expect(validateConfig(c).map((p) => p.field)).toContain('masking.randomProb');
    c.masking = { strategy: 'bogus', params: {} };
    expect(validateConfig(c).find((p) => p.field === 'masking.strategy')!.message).toMatch(/Unknown masking strategy "bogus"/);
  });

  it('uses the spec budget for prediction slots: 20 at T=128', () => {
    const c = presetConfig('bert-tiny');
    expect(maxPredictions(c)).toBe(20);
    c.masking = { strategy: 'diffusion', params: {} };
    expect(maxPredictions(c)).toBe(128);
    c.masking = { strategy: 'random', params: { rate: 0.15, schedule: 'cosine' } };
    expect(maxPredictions(c)).toBe(42); // peak rate 0.32: round(40.96) + 1
  });

  it('unknown presets are refused with the list of presets', () => {
    expect(() => presetConfig('bert-huge')).toThrow(/bert-micro, bert-tiny/);
  });
});

describe('layout and init', () => {
  const model = presetConfig('bert-micro').model;
  const V = 50;

  it('puts decayed parameters first and lays params, grads and moments out identically', () => {
    const specs = paramSpecs(model, V);
    const firstPlain = specs.findIndex((p) => !p.decay);
    expect(specs.slice(firstPlain).every((p) => !p.decay)).toBe(true);
    const plan = planModel({ model, V, B: 2, P: 6 });
    const pools = ['params', 'grads', 'adam_m', 'adam_v'].map((pool) => plan.tensors.filter((t) => t.pool === pool).map((t) => t.shape.join('x')));
    expect(pools[1]).toEqual(pools[0]);
    expect(pools[3]).toEqual(pools[0]);
    expect(activationSpecs({ model, V, B: 2, P: 6 }).find((a) => a.name === 'l0.probs')!.shape).toEqual([2, model.NH, model.T, model.T]);
  });

  it('counts parameters like BERT', () => {
    const { C, FFN, T, L } = model;
    const perLayer = 3 * C * C + 3 * C + C * C + C + 2 * C + FFN * C + FFN + C * FFN + C + 2 * C;
    const expected = V * C + T * C + 2 * C + 2 * C + L * perLayer + C * C + C + 2 * C + V;
    expect(parameterCount(model, V)).toBe(expected);
  });

  it('initialises deterministically: N(0, 0.02) weights, zero [PAD] row, unit LayerNorm', () => {
    const a = initParams(model, V, 7);
    const b = initParams(model, V, 7);
    const c = initParams(model, V, 8);
    expect(a.get('l0.qkv.w')).toEqual(b.get('l0.qkv.w'));
    expect(a.get('l0.qkv.w')).not.toEqual(c.get('l0.qkv.w'));
    const w = a.get('l1.fc1.w')!;
    const mean = w.reduce((s, x) => s + x, 0) / w.length;
    const std = Math.sqrt(w.reduce((s, x) => s + (x - mean) ** 2, 0) / w.length);
    expect(Math.abs(std - 0.02)).toBeLessThan(0.003);
    expect([...a.get('emb.wte')!.subarray(0, model.C)].every((x) => x === 0)).toBe(true);
    expect([...a.get('l0.ln1.w')!].every((x) => x === 1)).toBe(true);
    expect([...a.get('head.bias')!].every((x) => x === 0)).toBe(true);
  });
});

describe('ELECTRA config', () => {
  it('defaults the masking to ELECTRA corruption (85% [MASK], 0% random, 15% kept) unless set', () => {
    const c = presetConfig('electra-micro');
    expect(maskingOf(c).params).toMatchObject({ rate: 0.15, maskProb: 0.85, randomProb: 0 });
    c.masking.params = { maskProb: 0.8, randomProb: 0.1 };
    expect(maskingOf(c).params).toMatchObject({ maskProb: 0.8, randomProb: 0.1 });
    expect(maskingOf(presetConfig('bert-micro')).params).toMatchObject({ maskProb: 0.8, randomProb: 0.1 });
  });

  it('sizes the generator as a fraction of the discriminator, with at least one head', () => {
    expect(generatorDims(presetConfig('electra-micro').model, 0.25)).toEqual({ L: 2, C: 8, NH: 1, FFN: 16 });
    expect(generatorDims(presetConfig('electra-tiny').model, 0.25)).toEqual({ L: 2, C: 32, NH: 1, FFN: 128 });
    expect(generatorDims(presetConfig('electra-tiny').model, 1)).toEqual({ L: 2, C: 128, NH: 2, FFN: 512 });
    expect(generatorDims({ ...presetConfig('electra-tiny').model, C: 256, NH: 4 }, 0.5)).toEqual({ L: 2, C: 128, NH: 2, FFN: 256 });
  });

  it('validates ELECTRA options by name', () => {
    const c = presetConfig('electra-micro');
    c.electra = { ...c.electra, discWeight: -1, tiedEmbeddings: 'yes' as unknown as boolean };
    const fields = validateConfig(c).map((p) => p.field);
    expect(fields).toEqual(expect.arrayContaining(['electra.discWeight', 'electra.tiedEmbeddings']));
    expect(validateConfig({ ...presetConfig('bert-micro'), objective: 'gan' as never }).map((p) => p.field)).toContain('objective');
  });
});

