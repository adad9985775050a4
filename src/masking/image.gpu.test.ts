// Image masks on the GPU (masking_image.wgsl via image-gpu.ts) == the CPU twin (image.ts), bit for
// bit: mask, keep and keepCount, for every strategy, several seeds, steps and ratios, on 7×7, 4×4,
// a non-square 3×5 / 4×6 and 14×14 grids; plus the exact kept counts. Statistics and shapes of the
// masks are tested in Node (image.test.ts). SwiftShader is slow: batches stay small.
import { describe, expect, it } from 'vitest';
import { Arena, ArenaPlan } from '../gpu/arena.ts';
import { StepEncoder } from '../gpu/step-encoder.ts';
import { readU32 } from '../gpu/readback.ts';
import { testGpu } from '../gpu/testing.ts';
import { opContext } from '../shaders/index.ts';
import { imageMasksReference } from './image.ts';
import { prepareImageMasking } from './image-gpu.ts';
import { parseImageMaskingConfig, type ParamValue } from './image-registry.ts';
import { imageMaskPlan, type PatchGrid } from './image-tables.ts';

const OUTPUTS = ['mask', 'keep', 'keepCount'] as const;

interface Case {
  strategy: string;
  params?: Record<string, ParamValue>;
  grid: PatchGrid;
  B: number;
  seeds: number[];
  steps: number[];
  wg?: number;
}

/** Runs the GPU masks for each (seed, step); counts mismatching elements per output and collects the kept counts. */
async function compare(c: Case): Promise<{ mismatches: Record<string, number>; keepCounts: Set<number> }> {
  const gpu = await testGpu();
  const ctx = opContext(gpu);
  const { config, problems } = parseImageMaskingConfig(c.strategy, c.params ?? {});
  expect(problems).toEqual([]);
  const { B } = c;
  const L = c.grid.gh * c.grid.gw;
  const { table: { length: tableLength }, keepCols } = imageMaskPlan(config!, c.grid, 0);
  let arenaPlan = new ArenaPlan().add('img', 'mask', [B, L], 'u32').add('img', 'keep', [B, keepCols], 'u32').add('img', 'keepCount', [B], 'u32');
  if (tableLength) arenaPlan = arenaPlan.add('img', 'table', [tableLength], 'u32');
  const arena = Arena.build(gpu, arenaPlan);
  const io = { mask: arena.get('mask'), keep: arena.get('keep'), keepCount: arena.get('keepCount'), ...(tableLength ? { table: arena.get('table') } : {}) };
  const mismatches: Record<string, number> = Object.fromEntries(OUTPUTS.map((o) => [o, 0]));
  const keepCounts = new Set<number>();
  for (const seed of c.seeds) {
    const plan = imageMaskPlan(config!, c.grid, seed);
    const op = await prepareImageMasking(ctx, io, { B }, plan, c.wg ? { wg: c.wg } : {});
    for (const step of c.steps) {
      op.setStep(step);
      const enc = new StepEncoder(gpu);
      op.record(enc);
      enc.submit();
      const want = imageMasksReference(plan, B, step);
      for (const o of OUTPUTS) {
        const got = await readU32(gpu, io[o]);
        for (let i = 0; i < got.length; i++) if (got[i] !== want[o][i]) mismatches[o]!++;
        if (o === 'keepCount') got.forEach((n) => keepCounts.add(n));
      }
    }
  }
  arena.destroy();
  console.log(`${c.strategy} ${JSON.stringify(c.params ?? {})} ${c.grid.gh}×${c.grid.gw} B=${B} seeds ${c.seeds.join(',')} steps ${c.steps.join(',')}: kept counts {${[...keepCounts].sort((a, b) => a - b).join(',')}}, mismatches ${JSON.stringify(mismatches)}`);
  return { mismatches, keepCounts };
}

const NONE = Object.fromEntries(OUTPUTS.map((o) => [o, 0]));
const SEEDS = [0, 12345, 0xffffffff];
const STEPS = [0, 1, 2 ** 31 + 7];

describe('image masks: GPU == CPU twin, bit for bit', () => {
  it('MAE random: exact ⌊L(1−r)⌋ kept on 7×7, 4×4, 3×5 and 14×14 across ratios', async () => {
    for (const [grid, ratio, keep] of [
      [{ gh: 7, gw: 7 }, 0.75, 12],
      [{ gh: 7, gw: 7 }, 0.9, 4],
      [{ gh: 4, gw: 4 }, 0.75, 4],
      [{ gh: 4, gw: 4 }, 0.5, 8],
      [{ gh: 3, gw: 5 }, 0.6, 6],
      [{ gh: 14, gw: 14 }, 0.75, 49],
    ] as const) {
      const r = await compare({ strategy: 'mae-random', params: { ratio }, grid, B: 9, seeds: SEEDS, steps: STEPS });
      expect(r.mismatches).toEqual(NONE);
      expect([...r.keepCounts]).toEqual([keep]);
    }
  });

  it('grid: fixed offset on 7×7, 4×4, 3×5; seeded offset on 4×4 and 4×6', async () => {
    for (const [grid, offset, keep] of [
      [{ gh: 7, gw: 7 }, 'fixed', 16],
      [{ gh: 4, gw: 4 }, 'fixed', 4],
      [{ gh: 3, gw: 5 }, 'fixed', 6],
      [{ gh: 4, gw: 4 }, 'seeded', 4],
      [{ gh: 4, gw: 6 }, 'seeded', 6],
    ] as const) {
      const r = await compare({ strategy: 'grid', params: { offset }, grid, B: 9, seeds: SEEDS, steps: STEPS });
      expect(r.mismatches).toEqual(NONE);
      expect([...r.keepCounts]).toEqual([keep]);
    }
  });

  it('blockwise: defaults and other ratios, minPatches and aspects on 7×7, 4×4, 3×5, 14×14', async () => {
    for (const [grid, params] of [
      [{ gh: 7, gw: 7 }, {}],
      [{ gh: 7, gw: 7 }, { ratio: 0.75, minPatches: 2 }],
      [{ gh: 4, gw: 4 }, { ratio: 0.5 }],
      [{ gh: 3, gw: 5 }, { ratio: 0.4, minAspect: 0.5 }],
      [{ gh: 14, gw: 14 }, { ratio: 75 / 196 }],
    ] as const) {
      const r = await compare({ strategy: 'blockwise', params, grid, B: 9, seeds: SEEDS, steps: STEPS });
      expect(r.mismatches).toEqual(NONE);
      const L = grid.gh * grid.gw;
      const n = imageMaskPlan(parseImageMaskingConfig('blockwise', params).config!, grid, 0).budget;
      for (const k of r.keepCounts) expect(L - k).toBeLessThanOrEqual(n); // never past the budget, often short of it
      expect(Math.min(...r.keepCounts)).toBeLessThan(L);
    }
  });

  it('B = 37 over several workgroups, the last one partly idle', async () => {
    const r = await compare({ strategy: 'blockwise', grid: { gh: 7, gw: 7 }, B: 37, seeds: [3], steps: [5], wg: 4 });
    expect(r.mismatches).toEqual(NONE);
    const m = await compare({ strategy: 'mae-random', grid: { gh: 4, gw: 4 }, B: 37, seeds: [3], steps: [5], wg: 8 });
    expect(m.mismatches).toEqual(NONE);
  });
});
