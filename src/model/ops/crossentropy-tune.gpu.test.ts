// The tuner on the MLM loss (issue [M]): every variant this device runs passes its check against
// the 'tree' kernel and is timed; the check sees the gradient, not only the losses: the
// thread-per-row kernel passes with the right normaliser and is rejected with a wrong one.
import { describe, expect, it } from 'vitest';
import { autotune } from '../../gpu/autotune.ts';
import { testGpu } from '../../gpu/testing.ts';
import { opContext } from '../../shaders/index.ts';
import { crossEntropyKey, crossEntropyVariantsOn, prepareCrossEntropyRows } from './crossentropy.ts';
import { crossEntropyTuneProblem } from './crossentropy-tune.ts';

describe('crossentropy autotune (GPU)', () => {
  it('checks every variant against the tree kernel, gradient included, and picks the fastest', async () => {
    const ctx = opContext(await testGpu());
    const shape = { M: 37, V: 301 };
    const p = (await crossEntropyTuneProblem(ctx, crossEntropyKey(shape)))!;
    // Same losses either way; only the gradient's 1/Σw differs (Σw = M here).
    const rows = (id: string, weightSum: number) => ({
      id,
      prepare: async () => {
        const op = await prepareCrossEntropyRows(ctx, p.io, shape, { weightSum });
        return { id, record: op.record };
      },
    });
    p.candidates.push(rows('rows-right', shape.M), rows('rows-wrong-normaliser', 1));
    const [o] = await autotune(ctx.gpu, [p], { batches: 3, reps: 4 });
    console.log(`${o!.key}: ${o!.choice} ms ${JSON.stringify(o!.ms)} rejected ${JSON.stringify(o!.rejected)}`);
    expect(Object.keys(o!.ms).sort()).toEqual([...crossEntropyVariantsOn(ctx), 'rows-right'].sort());
    expect(Object.keys(o!.rejected)).toEqual(['rows-wrong-normaliser']);
    expect(o!.ms[o!.choice]).toBe(Math.min(...Object.values(o!.ms)));
  });
});
