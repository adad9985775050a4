// Image masks on the CPU (image.ts, image-tables.ts, image-registry.ts): exact kept counts, the
// grid pattern, blockwise blocks as rectangles within the budget, determinism per (seed, step, b),
// parameter and grid validation, and the WGSL copies of salts and uniform fields. GPU == CPU is
// image.gpu.test.ts.
import { describe, expect, it } from 'vitest';
import imageWgsl from '../shaders/masking_image.wgsl?raw';
import { hash4 } from '../data/prng.ts';
import { blockwiseBlocks, gridOffset, imageMasksReference, KEEP_PAD, type ImageMasks } from './image.ts';
import { describeImageRegistry, IMAGE_STRATEGIES, parseImageMaskingConfig, type ParamValue } from './image-registry.ts';
import { ASPECT_COUNT, aspectTable, blockBudget, blockShapeTable, defaultMinPatches, gridKeepCount, IMAGE_SALT, imageMaskPlan, imageUniforms, maeKeepCount, unpackShape, type PatchGrid } from './image-tables.ts';

function plan(strategy: string, params: Record<string, ParamValue>, grid: PatchGrid, seed = 1) {
  const { config, problems } = parseImageMaskingConfig(strategy, params);
  expect(problems).toEqual([]);
  return imageMaskPlan(config!, grid, seed);
}

/** mask, keep and keepCount agree: keep (B,KC) lists exactly the visible patches ascending, then padding. */
function expectConsistent(m: ImageMasks, B: number, L: number): void {
  const KC = m.keep.length / B;
  for (let b = 0; b < B; b++) {
    const visible = [];
    for (let p = 0; p < L; p++) if (m.mask[b * L + p] === 0) visible.push(p);
    expect(m.mask.subarray(b * L, (b + 1) * L).every((x) => x === 0 || x === 1)).toBe(true);
    expect(m.keepCount[b]).toBe(visible.length);
    expect(Array.from(m.keep.subarray(b * KC, (b + 1) * KC))).toEqual([...visible, ...Array<number>(KC - visible.length).fill(KEEP_PAD)]);
  }
}

const GRIDS: PatchGrid[] = [
  { gh: 7, gw: 7 },
  { gh: 4, gw: 4 },
  { gh: 3, gw: 5 },
  { gh: 2, gw: 8 },
  { gh: 14, gw: 14 },
  { gh: 16, gw: 16 },
];

describe('MAE random', () => {
  it('keeps exactly ⌊L(1−r)⌋ patches (at least 1) in every image, for many ratios and grids', () => {
    expect([maeKeepCount(49, 0.75), maeKeepCount(16, 0.75), maeKeepCount(196, 0.75), maeKeepCount(49, 0.9), maeKeepCount(10, 0.9), maeKeepCount(10, 0.7), maeKeepCount(16, 0.95)]).toEqual([12, 4, 49, 4, 1, 3, 1]);
    for (const g of GRIDS) {
      const L = g.gh * g.gw;
      for (const ratio of [0.05, 0.25, 0.5, 0.6, 0.75, 0.9, 0.95]) {
        const want = Math.max(1, Math.floor(Math.round(L * (1 - ratio) * 1e6) / 1e6));
        const pl = plan('mae-random', { ratio }, g, 11);
        expect(pl.keepCount, `${g.gh}×${g.gw} r=${ratio}`).toBe(want);
        const m = imageMasksReference(pl, 6, 3);
        expectConsistent(m, 6, L);
        expect(Array.from(m.keepCount), `${g.gh}×${g.gw} r=${ratio}`).toEqual(Array<number>(6).fill(want));
      }
    }
  });

  it('keeps the patches of smallest noise hash4(seed^SALT, step, b, p), ties by index', () => {
    const pl = plan('mae-random', {}, { gh: 7, gw: 7 }, 99);
    const m = imageMasksReference(pl, 4, 17);
    for (let b = 0; b < 4; b++) {
      const noise = (p: number) => hash4(99 ^ IMAGE_SALT.MAE, 17, b, p);
      let maxKept = -1;
      let minHidden = Infinity;
      for (let p = 0; p < 49; p++) {
        if (m.mask[b * 49 + p]) minHidden = Math.min(minHidden, noise(p));
        else maxKept = Math.max(maxKept, noise(p));
      }
      expect(maxKept).toBeLessThan(minHidden);
    }
  });

  it('hides every patch about equally often (r = 0.75 over 800 images of 4×4)', () => {
    const pl = plan('mae-random', {}, { gh: 4, gw: 4 }, 5);
    const hits = new Array<number>(16).fill(0);
    for (let step = 0; step < 8; step++) {
      const m = imageMasksReference(pl, 100, step);
      m.mask.forEach((x, i) => (hits[i % 16]! += x));
    }
    for (const h of hits) expect(h / 800).toBeCloseTo(0.75, 1);
  });
});

describe('grid', () => {
  it('fixed offset keeps (even row, even column): 16 of 7×7, 4 of 4×4, 6 of 3×6', () => {
    for (const [g, n] of [
      [{ gh: 7, gw: 7 }, 16],
      [{ gh: 4, gw: 4 }, 4],
      [{ gh: 3, gw: 6 }, 6],
    ] as const) {
      const pl = plan('grid', {}, g);
      expect(pl.keepCount).toBe(n);
      const m = imageMasksReference(pl, 3, 5);
      expectConsistent(m, 3, g.gh * g.gw);
      for (let b = 0; b < 3; b++) {
        expect(m.keepCount[b]).toBe(n);
        for (let p = 0; p < g.gh * g.gw; p++) {
          const [r, c] = [Math.floor(p / g.gw), p % g.gw];
          expect(m.mask[b * g.gh * g.gw + p]).toBe(r % 2 === 0 && c % 2 === 0 ? 0 : 1);
        }
      }
    }
    expect(gridKeepCount({ gh: 7, gw: 7 }, 1, 1)).toBe(9);
  });

  it('seeded offset: per image, the same count, all four offsets appear', () => {
    const g = { gh: 4, gw: 6 };
    const pl = plan('grid', { offset: 'seeded' }, g, 3);
    const m = imageMasksReference(pl, 32, 9);
    expectConsistent(m, 32, 24);
    const seen = new Set<string>();
    for (let b = 0; b < 32; b++) {
      const [or, oc] = gridOffset(pl, 9, b);
      seen.add(`${or}${oc}`);
      expect(m.keepCount[b]).toBe(6);
      for (let p = 0; p < 24; p++) expect(m.mask[b * 24 + p]).toBe(Math.floor(p / 6) % 2 === or && (p % 6) % 2 === oc ? 0 : 1);
    }
    expect(seen.size).toBe(4);
  });
});

describe('blockwise (BEiT)', () => {
  it('the aspect table is log-uniform midpoints, symmetric; shapes are round√(s·a) × round√(s/a)', () => {
    const a = aspectTable(0.3);
    expect(a.length).toBe(ASPECT_COUNT);
    for (let k = 0; k < ASPECT_COUNT; k++) {
      expect(a[k]! * a[ASPECT_COUNT - 1 - k]!).toBeCloseTo(1, 12);
      expect(a[k]).toBeGreaterThan(0.3);
      expect(a[k]).toBeLessThan(1 / 0.3);
      if (k) expect(Math.log(a[k]!) - Math.log(a[k - 1]!)).toBeCloseTo((-2 * Math.log(0.3)) / ASPECT_COUNT, 12);
    }
    const t = blockShapeTable(49, 0.3);
    expect(t.length).toBe(49 * ASPECT_COUNT);
    for (let s = 1; s <= 49; s++) {
      for (let k = 0; k < ASPECT_COUNT; k++) {
        const { h, w } = unpackShape(t[(s - 1) * ASPECT_COUNT + k]!);
        const mirror = unpackShape(t[(s - 1) * ASPECT_COUNT + ASPECT_COUNT - 1 - k]!);
        expect([h, w]).toEqual([mirror.w, mirror.h]);
        expect(h).toBe(Math.round(Math.sqrt(s * a[k]!)));
      }
    }
    expect(unpackShape(t[15 * ASPECT_COUNT + ASPECT_COUNT / 2]!)).toEqual({ h: 4, w: 4 }); // s = 16, a ≈ 1
    expect(blockShapeTable(16, 1).every((e) => (e & 0xffff) === e >>> 16)).toBe(true); // minAspect 1: squares
  });

  it('defaults: n = round(r·L), minPatches = BEiT’s 16/196 scaled (4 on 7×7, 1 on 4×4, 16 on 14×14)', () => {
    expect([defaultMinPatches(49), defaultMinPatches(16), defaultMinPatches(196), defaultMinPatches(4)]).toEqual([4, 1, 16, 1]);
    expect([blockBudget(49, 0.4), blockBudget(196, 75 / 196), blockBudget(16, 0.5), blockBudget(7, 0.5), blockBudget(4, 0.05)]).toEqual([20, 75, 8, 4, 1]);
    const pl = plan('blockwise', {}, { gh: 7, gw: 7 });
    expect([pl.budget, pl.minPatches, pl.keepCount]).toEqual([37, 4, 0]);
    expect(plan('blockwise', { minPatches: 6 }, { gh: 7, gw: 7 }).minPatches).toBe(6);
  });

  it('hides at most n patches, as a union of rectangles narrower and shorter than the grid', () => {
    const cases: [PatchGrid, Record<string, ParamValue>][] = [
      [{ gh: 7, gw: 7 }, {}],
      [{ gh: 7, gw: 7 }, { ratio: 0.75, minPatches: 2 }],
      [{ gh: 4, gw: 4 }, { ratio: 0.5 }],
      [{ gh: 3, gw: 6 }, { ratio: 0.4, minAspect: 0.5 }],
      [{ gh: 14, gw: 14 }, { ratio: 75 / 196 }],
    ];
    for (const [g, params] of cases) {
      const pl = plan('blockwise', params, g, 21);
      const L = g.gh * g.gw;
      const B = 40;
      let hidden = 0;
      for (const step of [0, 1]) {
        const m = imageMasksReference(pl, B, step);
        expectConsistent(m, B, L);
        for (let b = 0; b < B; b++) {
          const count = L - m.keepCount[b]!;
          expect(count).toBeLessThanOrEqual(pl.budget);
          expect(count).toBeGreaterThan(0);
          hidden += count;
          const union = new Uint32Array(L);
          let fresh = 0;
          for (const k of blockwiseBlocks(pl, step, b)) {
            expect(k.h).toBeLessThan(g.gh);
            expect(k.w).toBeLessThan(g.gw);
            expect(k.fresh).toBeGreaterThan(0);
            expect(k.fresh).toBeLessThanOrEqual(k.remaining);
            expect(k.remaining).toBe(pl.budget - fresh);
            for (let r = k.top; r < k.top + k.h; r++) for (let c = k.left; c < k.left + k.w; c++) union[r * g.gw + c] = 1;
            fresh += k.fresh;
          }
          expect(fresh).toBe(count);
          expect(Array.from(union)).toEqual(Array.from(m.mask.subarray(b * L, (b + 1) * L)));
        }
      }
      // Blocks usually reach the budget or close to it: the mean is within 25% of n.
      console.log(`blockwise ${g.gh}×${g.gw} ${JSON.stringify(params)}: n=${pl.budget}, mean hidden ${(hidden / (2 * B)).toFixed(2)}`);
      expect(hidden / (2 * B)).toBeGreaterThan(0.75 * pl.budget);
    }
  });

  it('blocks are blocks: on 7×7 with minPatches 4, the first block has area ≥ 2 in most images', () => {
    const pl = plan('blockwise', {}, { gh: 7, gw: 7 }, 8);
    let big = 0;
    for (let b = 0; b < 50; b++) if (blockwiseBlocks(pl, 0, b)[0]!.fresh >= 2) big++;
    expect(big).toBeGreaterThan(40);
  });
});

describe('determinism', () => {
  for (const [strategy, params, g] of [
    ['mae-random', {}, { gh: 7, gw: 7 }],
    ['grid', { offset: 'seeded' }, { gh: 4, gw: 4 }],
    ['blockwise', {}, { gh: 7, gw: 7 }],
  ] as const) {
    it(`${strategy}: same (seed, step) → same masks; other steps, images and seeds differ`, () => {
      const B = 16;
      const L = g.gh * g.gw;
      const a = imageMasksReference(plan(strategy, params, g, 4), B, 7);
      expect(imageMasksReference(plan(strategy, params, g, 4), B, 7)).toEqual(a);
      expect(imageMasksReference(plan(strategy, params, g, 4), B, 8).mask).not.toEqual(a.mask);
      expect(imageMasksReference(plan(strategy, params, g, 5), B, 7).mask).not.toEqual(a.mask);
      const rows = new Set<string>();
      for (let b = 0; b < B; b++) rows.add(a.mask.subarray(b * L, (b + 1) * L).join(''));
      expect(rows.size).toBeGreaterThan(strategy === 'grid' ? 2 : B / 2);
    });
  }
});

describe('parameters and grids', () => {
  it('defaults come from the registry; strings from a URL or CLI are parsed', () => {
    expect(parseImageMaskingConfig('mae-random').config).toEqual({ strategy: 'mae-random', params: { ratio: 0.75 } });
    expect(parseImageMaskingConfig('grid').config).toEqual({ strategy: 'grid', params: { offset: 'fixed' } });
    expect(parseImageMaskingConfig('blockwise', { ratio: '0.5', minPatches: '3' }).config).toEqual({ strategy: 'blockwise', params: { ratio: 0.5, minPatches: 3, minAspect: 0.3 } });
    expect(IMAGE_STRATEGIES.map((s) => [s.id, s.fixedCount])).toEqual([
      ['mae-random', true],
      ['grid', true],
      ['blockwise', false],
    ]);
    const text = describeImageRegistry();
    for (const s of IMAGE_STRATEGIES) expect(text).toContain(s.id);
  });

  it('bad values get a message naming the parameter, the value and what is allowed', () => {
    const msg = (s: string, p: Record<string, ParamValue>) => parseImageMaskingConfig(s, p).problems.map((x) => x.message);
    expect(msg('mae', {})).toEqual(['Unknown image masking strategy "mae". Strategies: mae-random, grid, blockwise.']);
    expect(msg('mae-random', { ratio: 1.2 })).toEqual(['mae-random: ratio must be a number from 0.05 to 0.95 (got 1.2).']);
    expect(msg('mae-random', { ratio: 'abc' })).toEqual(['mae-random: ratio must be a number from 0.05 to 0.95 (got "abc").']);
    expect(msg('grid', { ratio: 0.5 })).toEqual(['"ratio" is not a parameter of grid. The grid always hides 3 of every 4 patches, so the ratio does not apply. Its parameters: offset.']);
    expect(msg('grid', { offset: 'random' })).toEqual(['grid: offset must be one of fixed, seeded (got "random").']);
    expect(msg('blockwise', { minPatches: 2.5, minAspect: 0 })).toEqual(['blockwise: minPatches must be a whole number from 0 to 256 (got 2.5).', 'blockwise: minAspect must be a number from 0.1 to 1 (got 0).']);
  });

  it('grid problems are thrown with what to change', () => {
    const cfg = (s: string, p: Record<string, ParamValue> = {}) => parseImageMaskingConfig(s, p).config!;
    expect(() => imageMaskPlan(cfg('mae-random'), { gh: 17, gw: 16 }, 1)).toThrow('a 17×16 grid has 272 patches, more than the 256 the masks support; use larger patches');
    expect(() => imageMaskPlan(cfg('blockwise'), { gh: 1, gw: 9 }, 1)).toThrow('blockwise: blocks must be narrower and shorter than the grid (as in BEiT), so it needs at least 2×2 patches (got 1×9); use MAE random');
    expect(() => imageMaskPlan(cfg('blockwise', { minPatches: 20 }), { gh: 4, gw: 4 }, 1)).toThrow('blockwise: minPatches (20) must not exceed the 16 patches of a 4×4 grid; use 0 for the scaled default (1)');
    expect(() => imageMaskPlan(cfg('grid', { offset: 'seeded' }), { gh: 7, gw: 7 }, 1)).toThrow('a 7×7 grid keeps 16 patches at offset (0,0) but 9 at (1,1)); use offset "fixed", or MAE random');
    expect(() => imageMaskPlan(cfg('grid'), { gh: 0, gw: 4 }, 1)).toThrow('whole numbers ≥ 1');
    expect(() => imageMaskPlan(cfg('grid'), { gh: 4, gw: 4 }, -1)).toThrow('the seed must be a u32');
  });
});

describe('the WGSL copies', () => {
  it('masking_image.wgsl repeats the salts of image-tables.ts', () => {
    for (const [name, value] of Object.entries(IMAGE_SALT)) {
      const m = new RegExp(`const SALT_${name}: u32 = 0x([0-9a-f]+)u;`).exec(imageWgsl);
      expect(m && parseInt(m[1]!, 16), `SALT_${name}`).toBe(value);
    }
  });

  it('ImageParams has one u32 field per word of imageUniforms, in order', () => {
    const body = /struct ImageParams \{([^}]*)\}/.exec(imageWgsl)![1]!;
    const fields = [...body.matchAll(/^\s*(\w+): u32,/gm)].map((m) => m[1]);
    expect(fields).toEqual(['B', 'gh', 'gw', 'L', 'seed', 'step', 'keep_count', 'budget', 'min_patches', 'seeded_offset', 'tries', 'aspects', 'keep_cols']);
    const pl = plan('blockwise', {}, { gh: 7, gw: 7 }, 77);
    expect(Array.from(imageUniforms(pl, 3, 5))).toEqual([3, 7, 7, 49, 77, 5, 0, 37, 4, 0, 10, ASPECT_COUNT, 49]);
    // Fixed-count strategies give keep exactly K columns: the MAE encoder's (B,K) index list.
    expect([plan('mae-random', {}, { gh: 7, gw: 7 }).keepCols, plan('grid', {}, { gh: 7, gw: 7 }).keepCols, pl.keepCols]).toEqual([12, 16, 49]);
  });
});
