// The MAE layout: shapes from the image and configs, the parameter list (names, shapes, weight
// decay first), the activation and gradient tables, the init, and the config's defaults.
import { describe, expect, it } from 'vitest';
import { numelOf } from '../../gpu/arena.ts';
import { DEFAULT_MAE, MAE_PARAMS, maeConfigOf } from './config.ts';
import { decOut, encOut, initMaeParams, maeParams, maeShape, maeSpecs } from './layout.ts';

const MODEL = { L: 2, C: 64, NH: 4, FFN: 256 };
const MNIST = { H: 28, W: 28, Cimg: 1 };

describe('MAE layout', () => {
  it('28×28 grey with the defaults: a 7×7 grid of 4×4 patches, 12 visible', () => {
    const s = maeShape(MODEL, DEFAULT_MAE, 8, MNIST);
    expect({ gh: s.gh, gw: s.gw, L: s.L, K: s.K, PD: s.PD, E: s.E, Ed: s.Ed }).toEqual({ gh: 7, gw: 7, L: 49, K: 12, PD: 16, E: 64, Ed: 32 });
    expect(s.enc).toEqual({ L: 2, C: 64, NH: 4, FFN: 256 });
    expect(s.dec).toEqual({ L: 1, C: 32, NH: 2, FFN: 128 });
    expect(maeShape(MODEL, DEFAULT_MAE, 8, MNIST, 16).K).toBe(16); // the masking plan's count wins
  });

  it('refuses a patch that does not divide the image, widths that are not multiples of 4, and says all of it at once', () => {
    expect(() => maeShape(MODEL, { ...DEFAULT_MAE, patch: 5 }, 2, MNIST)).toThrow(/patch size 5 must divide/);
    const err = (() => {
      try {
        maeShape({ ...MODEL, C: 66 }, { ...DEFAULT_MAE, decoderWidth: 30, decoderHeads: 4 }, 2, MNIST);
      } catch (e) {
        return String(e);
      }
      return '';
    })();
    expect(err).toMatch(/C = 66 must be a multiple of 4/);
    expect(err).toMatch(/decoder width 30 must be a multiple of 4/);
    expect(err).toMatch(/multiple of its 4 heads/);
    expect(() => maeShape(MODEL, DEFAULT_MAE, 2, MNIST, 50)).toThrow(/K = 50/);
  });

  it('parameters: MAE names and shapes, weights (decayed) before biases and LayerNorms', () => {
    const s = maeShape(MODEL, DEFAULT_MAE, 2, MNIST);
    const params = maeParams(s);
    const byName = new Map(params.map((p) => [p.name, p]));
    expect(byName.size).toBe(params.length);
    const want: [string, number[], boolean][] = [
      ['mae.patch.w', [64, 16], true],
      ['mae.patch.b', [64], false],
      ['mae.cls', [64], true],
      ['enc.l1.qkv.w', [192, 64], true],
      ['enc.norm.w', [64], false],
      ['dec.embed.w', [32, 64], true],
      ['dec.embed.b', [32], false],
      ['dec.mask_token', [32], true],
      ['dec.l0.fc1.w', [128, 32], true],
      ['dec.norm.b', [32], false],
      ['dec.pred.w', [16, 32], true],
      ['dec.pred.b', [16], false],
    ];
    for (const [name, shape, decay] of want) expect([name, byName.get(name)?.shape, byName.get(name)?.decay]).toEqual([name, shape, decay]);
    const firstPlain = params.findIndex((p) => !p.decay);
    expect(params.slice(firstPlain).every((p) => !p.decay)).toBe(true);
    expect(byName.has('enc.l2.qkv.w') || byName.has('dec.l1.qkv.w')).toBe(false);
  });

  it('tensor tables: unique names, a forward tensor behind every gradient, the loss and views present', () => {
    const s = maeShape(MODEL, DEFAULT_MAE, 3, MNIST);
    const { params, acts, dacts } = maeSpecs(s);
    const names = [...params.map((p) => p.name), ...acts.map((a) => a.name), ...dacts.map((a) => a.name)];
    expect(new Set(names).size).toBe(names.length);
    const forward = new Map(acts.map((a) => [a.name, a]));
    for (const g of dacts) {
      const f = forward.get(g.name.slice(2));
      expect(g.name.startsWith('d:') && f !== undefined, g.name).toBe(true);
      expect(numelOf(g.shape), g.name).toBe(numelOf(f!.shape));
    }
    for (const n of [encOut(s), decOut(s)]) expect(dacts.some((g) => g.name === `d:${n}`), n).toBe(true);
    const shapeOf = (n: string) => forward.get(n)?.shape;
    expect(shapeOf('mae.images')).toEqual([3, 28, 28, 1]);
    expect(shapeOf('mae.keep')).toEqual([3, 12]);
    expect(shapeOf('mae.pred')).toEqual([3, 49, 16]);
    expect(shapeOf('enc.x')).toEqual([3, 13, 64]);
    expect(shapeOf('dec.x')).toEqual([3, 50, 32]);
    expect(numelOf(shapeOf(encOut(s))!)).toBe(3 * 13 * 64);
    expect(shapeOf('mae.loss')).toEqual([1]);
  });

  it('init: weights N(0, initStd), biases 0, LayerNorm 1, [CLS] and mask token N(0, 0.02)', () => {
    const s = maeShape(MODEL, DEFAULT_MAE, 2, MNIST);
    const v = initMaeParams(maeParams(s), 1, 3);
    const maxAbs = (n: string) => Math.max(...v.get(n)!.map(Math.abs));
    expect(maxAbs('mae.patch.w')).toBeGreaterThan(1);
    expect(maxAbs('mae.cls')).toBeLessThan(0.1);
    expect(maxAbs('mae.cls')).toBeGreaterThan(0);
    expect(maxAbs('dec.mask_token')).toBeLessThan(0.1);
    expect(maxAbs('dec.pred.b')).toBe(0);
    expect(Array.from(v.get('enc.norm.w')!)).toEqual(new Array(64).fill(1));
    expect(initMaeParams(maeParams(s), 1, 3).get('mae.cls')).toEqual(v.get('mae.cls')); // seeded
  });

  it('config: defaults from the parameter data, overrides by key', () => {
    for (const p of MAE_PARAMS) expect(maeConfigOf()[p.key as keyof typeof DEFAULT_MAE], p.key).toBe(p.default);
    expect(maeConfigOf({ patch: 7, normPixLoss: true })).toEqual({ ...DEFAULT_MAE, patch: 7, normPixLoss: true });
    for (const p of MAE_PARAMS) if (p.kind === 'number') expect(p.default >= p.min && p.default <= p.max, p.key).toBe(true);
  });
});
