// The tuner on LayerNorm (issue [M]): every variant this device runs ('subgroup' where it has
// subgroups) passes its check against the 'simple' reference and is timed, forward and backward,
// on a ragged shape; a backward that skips its accumulation is rejected (its poison is a seeded
// start, not NaN). Also: keys of several families in one list each get their own family's
// problem, and the gradient norm's variants pass theirs.
import { describe, expect, it } from 'vitest';
import { autotune } from '../../gpu/autotune.ts';
import { testGpu } from '../../gpu/testing.ts';
import { opContext } from '../../shaders/index.ts';
import { gradNormKey, gradNormVariantsOn } from './adamw.ts';
import { layernormKey, layernormVariantsOn } from './layernorm.ts';
import { layernormTuneProblem } from './layernorm-tune.ts';
import { matmulProductKey } from './matmul.ts';
import { tuneProblems } from './tune-families.ts';

const FAST = { batches: 3, reps: 4 };
const SHAPE = { R: 37, C: 48 };

describe('layernorm autotune (GPU)', () => {
  it('checks every variant against the simple kernel, forward and backward, and picks the fastest (and the gradient norm\'s against the tree)', async () => {
    const ctx = opContext(await testGpu());
    const keys = [layernormKey('fwd', SHAPE), layernormKey('bwd', SHAPE), gradNormKey({ N: 5003 }), matmulProductKey({ transA: false, transB: true, rows: 8, inner: 8, cols: 8 }), 'no such kernel 1x1'];
    const problems = await tuneProblems(ctx, keys);
    expect(problems.map((p) => p.key)).toEqual(keys.slice(0, 4));
    const out = await autotune(ctx.gpu, problems.slice(0, 3), FAST);
    problems[3]!.release();
    for (const o of out) {
      console.log(`${o.key}: ${o.choice} (default ${o.defaultId}, gain ${o.gain.toFixed(2)}) ms ${JSON.stringify(o.ms)}`);
      expect(o.source).toBe('measured');
      expect(o.rejected).toEqual({});
      expect(Object.keys(o.ms).sort()).toEqual((o.key.startsWith('gradnorm') ? gradNormVariantsOn(ctx) : layernormVariantsOn(ctx)).sort());
      expect(o.ms[o.choice]).toBe(Math.min(...Object.values(o.ms)));
    }
  });

  it('rejects a backward that leaves its accumulators as they were', async () => {
    const ctx = opContext(await testGpu());
    const p = (await layernormTuneProblem(ctx, layernormKey('bwd', SHAPE)))!;
    p.candidates.push({ id: 'broken-silent', prepare: async () => ({ id: 'broken-silent', record: () => {} }) });
    const [o] = await autotune(ctx.gpu, [p], FAST);
    console.log(`rejected: ${JSON.stringify(o!.rejected)}`);
    expect(Object.keys(o!.rejected)).toEqual(['broken-silent']);
    expect(o!.rejected['broken-silent']).toMatch(/differs from the reference: error \d/);
    expect(await layernormTuneProblem(ctx, 'matmul NT 8x8x8')).toBeNull();
  });
});
