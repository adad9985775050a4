// The procedural shapes set: deterministic per seed, different across seeds, every class present
// (also among the held-out images), equal area across kinds, whole shapes inside the image.
import { describe, expect, it } from 'vitest';
import { classCounts, imageAt, splitImages } from './images.ts';
import { drawShape, makeShapes, SHAPE_CLASSES, shapeParams } from './shapes.ts';

describe('makeShapes', () => {
  it('is the same for a seed and differs across seeds', () => {
    const a = makeShapes({ seed: 7, N: 90 });
    expect(makeShapes({ seed: 7, N: 90 })).toEqual(a);
    const b = makeShapes({ seed: 8, N: 90 });
    expect(b.labels).toEqual(a.labels); // labels cycle by index …
    let same = 0;
    for (let n = 0; n < 90; n++) same += +imageAt(a, n).every((p, i) => p === imageAt(b, n)[i]);
    expect(same).toBe(0); // … the images do not
  });

  it('has every class, balanced, in training and held out; a smaller set is a prefix', () => {
    const s = makeShapes({ seed: 1, N: 300 });
    expect([s.id, s.N, s.H, s.W, s.C, s.heldOut]).toEqual(['shapes', 300, 28, 28, 1, 30]);
    expect(s.classNames).toEqual(SHAPE_CLASSES);
    expect(classCounts(s)).toEqual([100, 100, 100]);
    expect(classCounts(s, splitImages(s).heldOut)).toEqual([10, 10, 10]);
    const small = makeShapes({ seed: 1, N: 40 });
    expect(small.pixels).toEqual(s.pixels.subarray(0, 40 * 784));
  });

  it('draws one whole shape of the drawn area and brightness in every image', () => {
    const s = makeShapes({ seed: 3, N: 120, aa: 8 });
    for (let n = 0; n < s.N; n++) {
      const p = shapeParams(3, n, 28, 28);
      const img = imageAt(s, n);
      const peak = Math.round(255 * p.intensity);
      expect(Math.max(...img)).toBe(peak);
      // Σ coverage = area = side² (equal for all kinds): no part is clipped by the border.
      const area = img.reduce((a, v) => a + v, 0) / (255 * p.intensity);
      expect(Math.abs(area - p.side ** 2)).toBeLessThan(0.03 * p.side ** 2 + 1);
      expect(p.side ** 2 / 784).toBeGreaterThanOrEqual(0.04 - 1e-9);
      expect(p.side ** 2 / 784).toBeLessThanOrEqual(0.25);
    }
  });

  it('aa = 1 draws hard edges (two grey levels); larger aa adds edge levels', () => {
    const hard = makeShapes({ seed: 5, N: 6, aa: 1 });
    for (let n = 0; n < 6; n++) expect(new Set(imageAt(hard, n)).size).toBe(2);
    const soft = makeShapes({ seed: 5, N: 6 });
    for (let n = 0; n < 6; n++) expect(new Set(imageAt(soft, n)).size).toBeGreaterThan(4);
  });

  it('tells circles, squares and triangles apart by shape: fill ratio of the bounding box', () => {
    // A crude check that the kinds really differ: a circle fills ≈ π/4 of its box, a square at a
    // uniform angle 2/π on average, an equilateral triangle at most 1/2: compare class means.
    const s = makeShapes({ seed: 11, N: 300, aa: 1 });
    const fill = [0, 0, 0];
    for (let n = 0; n < s.N; n++) {
      const img = imageAt(s, n);
      let [x0, x1, y0, y1, on] = [28, -1, 28, -1, 0];
      img.forEach((v, i) => {
        if (!v) return;
        const [y, x] = [Math.floor(i / 28), i % 28];
        [x0, x1, y0, y1, on] = [Math.min(x0, x), Math.max(x1, x), Math.min(y0, y), Math.max(y1, y), on + 1];
      });
      fill[s.labels[n]!]! += on / ((x1 - x0 + 1) * (y1 - y0 + 1)) / 100;
    }
    expect(fill[0]).toBeGreaterThan(fill[1]! + 0.05);
    expect(fill[1]).toBeGreaterThan(fill[2]! + 0.05);
  });

  it('refuses bad options with the allowed range', () => {
    expect(() => makeShapes({ seed: 1, N: 0 })).toThrow(/N must be a positive integer/);
    expect(() => makeShapes({ seed: 1, H: 4 })).toThrow(/H and W must be integers in 8\.\.1024/);
    expect(() => makeShapes({ seed: 1, aa: 9 })).toThrow(/aa must be an integer in 1\.\.8/);
    expect(() => makeShapes({ seed: 1, N: 10, heldOut: 11 })).toThrow(/heldOut must be an integer in 0\.\.N/);
    expect(() => drawShape(new Uint8Array(5), 2, 2, shapeParams(1, 0, 2, 2))).toThrow(/out has 5 pixels, H·W = 4/);
  });

  it('draws the default 6,000-image set fast enough for an instant start', () => {
    const t0 = performance.now();
    const s = makeShapes({ seed: 1 });
    const ms = performance.now() - t0;
    expect([s.N, s.heldOut]).toEqual([6000, 600]);
    expect(ms).toBeLessThan(5000); // ≈0.3 s on one core; generous for a loaded CI machine
  });
});
