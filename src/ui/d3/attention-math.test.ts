// The attention views' numbers (rollout, entropy, indexing) against hand-computed values, and the
// model view's hit test against its own layout. Node only: no canvas is drawn here.
import { describe, expect, it } from 'vitest';
import { Rng } from '../../data/prng.ts';
import { modelViewHit, modelViewLayout } from './attention-draw.ts';
import {
  attentionRollout,
  checkAttentionShape,
  headEntropy,
  headMatrix,
  layerAttention,
  matrixMax,
  maxEntropy,
  normalisedEntropy,
} from './attention-math.ts';

/** (L, NH, n, n) from nested arrays [l][h][q][k]. */
function tensor(a: number[][][][]): Float32Array {
  return Float32Array.from(a.flat(3));
}

/** Random row-stochastic attention (L, NH, n, n), like a softmax output. */
function randomAttention(L: number, NH: number, n: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  const a = new Float32Array(L * NH * n * n);
  for (let r = 0; r < L * NH * n; r++) {
    let sum = 0;
    for (let k = 0; k < n; k++) sum += a[r * n + k] = Math.exp(4 * rng.uniform());
    for (let k = 0; k < n; k++) a[r * n + k] /= sum;
  }
  return a;
}

const rows = (m: Float32Array, n: number) => Array.from({ length: n }, (_, q) => Array.from(m.subarray(q * n, (q + 1) * n)));

describe('headMatrix', () => {
  it('picks [l][h] out of (L, NH, n, n)', () => {
    const L = 2, NH = 3, n = 4;
    const a = Float32Array.from({ length: L * NH * n * n }, (_, i) => i);
    const m = headMatrix(a, L, NH, n, 1, 2);
    expect(m.length).toBe(n * n);
    for (let q = 0; q < n; q++) for (let k = 0; k < n; k++) expect(m[q * n + k]).toBe(((1 * NH + 2) * n + q) * n + k);
    expect(headMatrix(a, L, NH, n, 0, 0)[0]).toBe(0);
    expect(Array.from(layerAttention(a, L, NH, n, 1))).toEqual(Array.from(a.subarray(NH * n * n)));
  });

  it('rejects a tensor of the wrong shape and heads out of range', () => {
    const a = new Float32Array(2 * 2 * 3 * 3);
    expect(() => checkAttentionShape(a, 2, 2, 4)).toThrow(/needs 64/);
    expect(() => headMatrix(a, 2, 2, 3, 2, 0)).toThrow(RangeError);
    expect(() => headMatrix(a, 2, 2, 3, 0, -1)).toThrow(RangeError);
  });
});

describe('attentionRollout', () => {
  it('is the identity when every head attends only to itself', () => {
    const L = 3, NH = 2, n = 4;
    const a = new Float32Array(L * NH * n * n);
    for (let lh = 0; lh < L * NH; lh++) for (let i = 0; i < n; i++) a[(lh * n + i) * n + i] = 1;
    const r = attentionRollout(a, L, NH, n);
    for (let q = 0; q < n; q++) for (let k = 0; k < n; k++) expect(r[q * n + k]).toBeCloseTo(q === k ? 1 : 0, 6);
  });

  it('has rows that sum to 1', () => {
    const L = 4, NH = 3, n = 7;
    const r = attentionRollout(randomAttention(L, NH, n, 7), L, NH, n);
    for (let q = 0; q < n; q++) {
      let s = 0;
      for (let k = 0; k < n; k++) {
        expect(r[q * n + k]).toBeGreaterThan(0);
        s += r[q * n + k];
      }
      expect(s).toBeCloseTo(1, 5);
    }
  });

  it('matches a hand-computed 2-layer, 2-head example (Â_1 · Â_0, not Â_0 · Â_1)', () => {
    // Layer 0: mean_h = [[1,0],[.5,.5]]  → Â_0 = ½·mean + ½·I = [[1,0],[.25,.75]]
    // Layer 1: mean_h = [[0,1],[0,1]]    → Â_1 = [[.5,.5],[0,1]]
    // Â_1·Â_0 = [[.625,.375],[.25,.75]]   (Â_0·Â_1 would be [[.5,.5],[.125,.875]])
    const a = tensor([
      [
        [[1, 0], [1, 0]],
        [[1, 0], [0, 1]],
      ],
      [
        [[0, 1], [0, 1]],
        [[0, 1], [0, 1]],
      ],
    ]);
    const r = attentionRollout(a, 2, 2, 2);
    const want = [[0.625, 0.375], [0.25, 0.75]];
    rows(r, 2).forEach((row, q) => row.forEach((v, k) => expect(v).toBeCloseTo(want[q]![k]!, 6)));
  });

  it('renormalises rows that do not sum to 1', () => {
    // One layer, one head, rows summing to 2: Â = (½·A + ½·I) / row sum.
    const a = tensor([[[[2, 0], [1, 1]]]]);
    const r = attentionRollout(a, 1, 1, 2);
    const want = [[1, 0], [1 / 3, 2 / 3]]; // row 0: [1 + .5, 0] / 1.5; row 1: [.5, .5 + .5] / 1.5
    rows(r, 2).forEach((row, q) => row.forEach((v, k) => expect(v).toBeCloseTo(want[q]![k]!, 6)));
  });
});

describe('headEntropy', () => {
  it('is ln n for uniform rows and 0 for one-hot rows, per head', () => {
    const L = 2, NH = 2, n = 5;
    const a = new Float32Array(L * NH * n * n);
    // [l=0,h=1] and [l=1,h=0] uniform; the others one-hot (query q attends to key (q+1) mod n).
    for (let l = 0; l < L; l++) {
      for (let h = 0; h < NH; h++) {
        const off = (l * NH + h) * n * n;
        const uniform = (l + h) % 2 === 1;
        for (let q = 0; q < n; q++) {
          if (uniform) a.fill(1 / n, off + q * n, off + (q + 1) * n);
          else a[off + q * n + ((q + 1) % n)] = 1;
        }
      }
    }
    const e = headEntropy(a, L, NH, n);
    expect(e.length).toBe(L * NH);
    expect(e[0]).toBeCloseTo(0, 6);
    expect(e[1]).toBeCloseTo(Math.log(n), 5);
    expect(e[2]).toBeCloseTo(Math.log(n), 5);
    expect(e[3]).toBeCloseTo(0, 6);
    expect(maxEntropy(n)).toBeCloseTo(Math.log(5), 12);
    expect(normalisedEntropy(e[1], n)).toBeCloseTo(1, 5);
  });

  it('averages over query rows', () => {
    // Row 0 splits evenly over two keys (ln 2), row 1 is one-hot (0): mean = ln 2 / 2.
    const a = tensor([[[[0.5, 0.5], [0, 1]]]]);
    expect(headEntropy(a, 1, 1, 2)[0]).toBeCloseTo(Math.log(2) / 2, 6);
  });

  it('normalises safely for a single token', () => {
    expect(maxEntropy(1)).toBe(0);
    expect(normalisedEntropy(0, 1)).toBe(0);
  });
});

describe('matrixMax', () => {
  it('returns the largest value, 0 for an empty matrix', () => {
    expect(matrixMax(Float32Array.from([0.1, 0.7, 0.2]))).toBeCloseTo(0.7, 6);
    expect(matrixMax(new Float32Array(0))).toBe(0);
  });
});

describe('modelViewHit', () => {
  const L = 3, NH = 4, n = 8, cell = 5;
  const lay = modelViewLayout(L, NH, n, cell);
  const pitch = lay.tile + lay.gap;
  const centre = (l: number, h: number) => [lay.left + h * pitch + lay.tile / 2, lay.top + l * pitch + lay.tile / 2] as const;

  it('finds the tile under the centre of every tile', () => {
    expect(lay.tile).toBe(40);
    for (let l = 0; l < L; l++) for (let h = 0; h < NH; h++) expect(modelViewHit(...centre(l, h), L, NH, n, cell)).toEqual({ l, h });
  });

  it('includes tile edges and excludes gaps, labels and the outside', () => {
    expect(modelViewHit(lay.left, lay.top, L, NH, n, cell)).toEqual({ l: 0, h: 0 });
    expect(modelViewHit(lay.left + lay.tile - 0.5, lay.top, L, NH, n, cell)).toEqual({ l: 0, h: 0 });
    expect(modelViewHit(lay.left + lay.tile + 1, lay.top + 1, L, NH, n, cell)).toBeNull(); // gap after column 0
    expect(modelViewHit(lay.left + 1, lay.top + lay.tile + 1, L, NH, n, cell)).toBeNull(); // gap under row 0
    expect(modelViewHit(lay.left - 1, lay.top + 1, L, NH, n, cell)).toBeNull(); // layer labels
    expect(modelViewHit(lay.left + 1, lay.top - 1, L, NH, n, cell)).toBeNull(); // head labels
    expect(modelViewHit(lay.left + NH * pitch + 1, lay.top + 1, L, NH, n, cell)).toBeNull();
    expect(modelViewHit(lay.left + 1, lay.top + L * pitch + 1, L, NH, n, cell)).toBeNull();
  });
});
