import { describe, expect, it } from 'vitest';
import { autotune } from '../../gpu/autotune.ts';
import type { OpContext } from '../../gpu/op-context.ts';
import { testGpu } from '../../gpu/testing.ts';
import { idbTuneCache, memoryTuneCache } from '../../gpu/tune-cache.ts';
import { opContext } from '../../shaders/index.ts';
import { matmulProductKey, prepareMatmulProduct } from './matmul.ts';
import { MATMUL_VARIANTS } from './matmul-variants.ts';
import { matmulTuneProblem, matmulTuneProblems } from './matmul-tune.ts';

let ctxPromise: Promise<OpContext> | null = null;
function context(): Promise<OpContext> {
  ctxPromise ??= testGpu().then(opContext);
  return ctxPromise;
}

// A forward (NT) and a dweight (TN) product of ragged sizes; small, so timing is quick here.
const KEYS = [matmulProductKey({ transA: false, transB: true, rows: 37, inner: 24, cols: 53 }), matmulProductKey({ transA: true, transB: false, rows: 40, inner: 37, cols: 24 })];
const FAST = { batches: 3, reps: 4 };

describe('matmul autotune (GPU)', () => {
  it('checks every variant against the naive kernel, times the survivors and picks the fastest', async () => {
    const ctx = await context();
    const cache = memoryTuneCache();
    const out = await autotune(ctx.gpu, await matmulTuneProblems(ctx, KEYS), { ...FAST, cache });
    for (const o of out) {
      console.log(`${o.key}: ${o.choice} (default ${o.defaultId}, gain ${o.gain.toFixed(2)}) ms ${JSON.stringify(o.ms)}`);
      expect(o.source).toBe('measured');
      expect(o.rejected).toEqual({});
      expect(Object.keys(o.ms).sort()).toEqual(MATMUL_VARIANTS.map((v) => v.id).sort());
      expect(o.ms[o.choice]).toBe(Math.min(...Object.values(o.ms)));
    }
    expect(cache.size()).toBe(2);
    const again = await autotune(ctx.gpu, await matmulTuneProblems(ctx, KEYS), { ...FAST, cache });
    expect(again.map((o) => o.source)).toEqual(['cache', 'cache']);
    expect(again.map((o) => o.choice)).toEqual(out.map((o) => o.choice));
  });

  it('never selects a candidate that fails its check, however fast', async () => {
    const ctx = await context();
    const p = (await matmulTuneProblem(ctx, KEYS[0]!))!;
    // Fastest possible: records nothing, so the poisoned output stays NaN.
    p.candidates.push({ id: 'broken-silent', prepare: async () => ({ id: 'broken-silent', record: () => {} }) });
    // Same work, wrong answer: reads B as if it were not transposed (same size, wrong layout).
    p.candidates.push({
      id: 'broken-layout',
      prepare: async () => {
        const op = await prepareMatmulProduct(ctx, p.io, { ...p.shape, transB: !p.shape.transB }, { tile: MATMUL_VARIANTS[2]!.tile });
        return { id: 'broken-layout', record: (enc) => op.record(enc) };
      },
    });
    p.candidates.push({ id: 'broken-compile', prepare: () => Promise.reject(new Error('no such pipeline here')) });
    const [o] = await autotune(ctx.gpu, [p], FAST);
    console.log(`rejected: ${JSON.stringify(o!.rejected)}`);
    expect(Object.keys(o!.rejected).sort()).toEqual(['broken-compile', 'broken-layout', 'broken-silent']);
    expect(o!.rejected['broken-silent']).toMatch(/non-finite or missing/);
    expect(o!.rejected['broken-layout']).toMatch(/differs from the reference: error \d/);
    expect(o!.choice).toMatch(/^t\d/);
    expect(Object.keys(o!.ms)).not.toContain('broken-silent');
  });

  it('a choice applied to the device is what launchers then prepare', async () => {
    const ctx = await context();
    const [o] = await autotune(ctx.gpu, await matmulTuneProblems(ctx, [KEYS[0]!]), { ...FAST, budgetMs: 0 });
    expect(o!.source).toBe('time bound'); // nothing measured within a zero budget: the default stays
    expect(o!.choice).toBe(o!.defaultId);
    const p = (await matmulTuneProblem(ctx, KEYS[0]!))!;
    // No tile given: the launcher takes the device's choice (an unknown id shows it asked).
    ctx.choices.set(KEYS[0]!, 'no-such-variant');
    await expect(prepareMatmulProduct(ctx, p.io, p.shape)).rejects.toThrow(/no matmul variant "no-such-variant"/);
    ctx.choices.set(KEYS[0]!, 't16-b4');
    await prepareMatmulProduct(ctx, p.io, p.shape);
    expect(ctx.choices.keys).toContain(KEYS[0]);
    p.release();
  });

  it('the IndexedDB cache keeps a choice across cache objects (a second visit)', async () => {
    const name = `masklab-tune-test-${Date.now()}`;
    await idbTuneCache(name).put('k', { choice: 't64-b8', ms: { 't64-b8': 1 }, gain: 2 });
    expect(await idbTuneCache(name).get('k')).toEqual({ choice: 't64-b8', ms: { 't64-b8': 1 }, gain: 2 });
    expect(await idbTuneCache(name).get('other')).toBeUndefined();
  });
});
