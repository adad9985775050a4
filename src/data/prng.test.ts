import { describe, expect, it } from 'vitest';
import { hash4, mix32, Rng, toUnit } from './prng.ts';

describe('prng', () => {
  it('mix32 matches known lowbias32 values', () => {
    // Reference values computed with 64-bit BigInt arithmetic below, not with the code under test.
    const ref = (v: bigint) => {
      const M = 0xffffffffn;
      let x = v & M;
      x ^= x >> 16n;
      x = (x * 0x7feb352dn) & M;
      x ^= x >> 15n;
      x = (x * 0x846ca68bn) & M;
      x ^= x >> 16n;
      return Number(x);
    };
    for (const v of [0, 1, 2, 12345, 0x7fffffff, 0x80000000, 0xffffffff]) expect(mix32(v)).toBe(ref(BigInt(v)));
  });

  it('hash4 depends on every coordinate and on their order', () => {
    const base = hash4(1, 2, 3, 4);
    expect(hash4(1, 2, 3, 5)).not.toBe(base);
    expect(hash4(2, 1, 3, 4)).not.toBe(base);
    expect(hash4(1, 2, 3, 4)).toBe(base);
  });

  it('uniforms are in [0,1) with mean ~0.5 and a flat histogram', () => {
    const r = new Rng(42);
    const bins = new Array(10).fill(0);
    let sum = 0;
    const n = 100_000;
    for (let i = 0; i < n; i++) {
      const u = r.uniform();
      expect(u).toBeGreaterThanOrEqual(0);
      expect(u).toBeLessThan(1);
      sum += u;
      bins[Math.floor(u * 10)]++;
    }
    expect(Math.abs(sum / n - 0.5)).toBeLessThan(0.005);
    // chi-square with 9 dof: 99.9% quantile is 27.9
    const chi = bins.reduce((a, b) => a + (b - n / 10) ** 2 / (n / 10), 0);
    expect(chi).toBeLessThan(27.9);
  });

  it('toUnit is exact in f32', () => {
    const u = toUnit(0xffffffff);
    expect(Math.fround(u)).toBe(u);
    expect(u).toBeLessThan(1);
  });

  it('normal() has mean 0 and variance 1', () => {
    const r = new Rng(7, 3);
    let s = 0;
    let s2 = 0;
    const n = 50_000;
    for (let i = 0; i < n; i++) {
      const z = r.normal();
      s += z;
      s2 += z * z;
    }
    expect(Math.abs(s / n)).toBeLessThan(0.02);
    expect(Math.abs(s2 / n - 1)).toBeLessThan(0.03);
  });

  it('same seed and stream replay the same sequence; another stream differs', () => {
    const a = new Rng(5, 1);
    const b = new Rng(5, 1);
    const c = new Rng(5, 2);
    const sa = Array.from({ length: 8 }, () => a.u32());
    expect(Array.from({ length: 8 }, () => b.u32())).toEqual(sa);
    expect(Array.from({ length: 8 }, () => c.u32())).not.toEqual(sa);
  });
});
