import { describe, expect, it } from 'vitest';
import { buildImageDataset, imageRows } from './image-batches.ts';
import { makeShapes } from './shapes.ts';

const set = makeShapes({ seed: 3, N: 200, heldOut: 40 });

describe('image batches', () => {
  it('training batches are a pure function of (seed, step, B), drawn from the training part only', () => {
    const a = buildImageDataset(set, { seed: 7 });
    const b = buildImageDataset(set, { seed: 7 });
    const x = a.batch(5, 16);
    expect(Array.from(b.batch(5, 16).index)).toEqual(Array.from(x.index));
    expect(Array.from(a.batch(6, 16).index)).not.toEqual(Array.from(x.index));
    expect(Array.from(buildImageDataset(set, { seed: 8 }).batch(5, 16).index)).not.toEqual(Array.from(x.index));
    const held = new Set(a.heldOut);
    const seen = new Set<number>();
    for (let s = 0; s < 50; s++) for (const n of a.batch(s, 16).index) {
      expect(held.has(n)).toBe(false);
      seen.add(n);
    }
    expect(seen.size).toBeGreaterThan(120); // 800 draws from 160 images cover most of them
    // Reusing `out` gives the same rows.
    const out = a.batch(0, 16);
    expect(Array.from(a.batch(5, 16, out).index)).toEqual(Array.from(x.index));
  });

  it('pixels are the set’s bytes / 255 with their labels, in (B,H,W,C) order', () => {
    const x = imageRows(set, [3, 0]);
    const size = 28 * 28;
    expect(x.pixels.length).toBe(2 * size);
    for (let i = 0; i < size; i++) expect(x.pixels[i]).toBeCloseTo(set.pixels[3 * size + i]! / 255, 7);
    expect(Array.from(x.labels)).toEqual([set.labels[3], set.labels[0]]);
    expect(Math.max(...x.pixels)).toBeLessThanOrEqual(1);
  });

  it('eval rows are the first held-out images in file order; bad counts and seeds are refused with what to use', () => {
    const d = buildImageDataset(set, { seed: 1, evalCount: 8 });
    expect(Array.from(d.evalSet.index)).toEqual([160, 161, 162, 163, 164, 165, 166, 167]);
    expect(buildImageDataset(set, { seed: 1 }).evalSet.B).toBe(40);
    expect(() => buildImageDataset(set, { seed: 1, evalCount: 41 })).toThrow('holds out 40: use a count from 1 to 40');
    expect(() => buildImageDataset(set, { seed: -1 })).toThrow('seed -1 must be an integer');
    expect(() => imageRows(set, [200])).toThrow('image 200 is not in the set');
  });
});
