// The tuner on attention (issue [M]): every variant (16×16 and 8×32 tiles, and the thread-per-query
// kernel) passes its check against the 'simple' reference and is timed, forward and backward, on a
// ragged shape with padded rows; a backward that skips its accumulation is rejected.
import { describe, expect, it } from 'vitest';
import { autotune } from '../../gpu/autotune.ts';
import { testGpu } from '../../gpu/testing.ts';
import { opContext } from '../../shaders/index.ts';
import { ATTENTION_VARIANTS, attentionKey } from './attention.ts';
import { attentionTuneProblem } from './attention-tune.ts';

const SHAPE = { B: 3, T: 13, C: 24, NH: 2 };

describe('attention autotune (GPU)', () => {
  it('checks every variant against the simple kernel, forward and backward, and picks the fastest; rejects a silent backward', async () => {
    const ctx = opContext(await testGpu());
    const fwd = (await attentionTuneProblem(ctx, attentionKey('fwd', SHAPE)))!;
    const bwd = (await attentionTuneProblem(ctx, attentionKey('bwd', SHAPE)))!;
    bwd.candidates.push({ id: 'broken-silent', prepare: async () => ({ id: 'broken-silent', record: () => {} }) });
    const out = await autotune(ctx.gpu, [fwd, bwd], { batches: 3, reps: 4 });
    for (const o of out) {
      console.log(`${o.key}: ${o.choice} (default ${o.defaultId}, gain ${o.gain.toFixed(2)}) ms ${JSON.stringify(o.ms)} rejected ${JSON.stringify(o.rejected)}`);
      expect(o.source).toBe('measured');
      expect(Object.keys(o.ms).sort()).toEqual([...ATTENTION_VARIANTS].sort());
      expect(o.ms[o.choice]).toBe(Math.min(...Object.values(o.ms)));
    }
    expect(out[0]!.rejected).toEqual({});
    expect(Object.keys(out[1]!.rejected)).toEqual(['broken-silent']);
    expect(await attentionTuneProblem(ctx, 'layernorm fwd 4x4')).toBeNull();
  });
});
