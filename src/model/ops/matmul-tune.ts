// The matmul family as tuning problems (gpu/autotune.ts): one per product the current model
// prepared (ctx.choices.keys), each with seeded random operands in its own small arena, the
// naive kernel as the reference, and every variant of matmul-variants.ts this device's limits
// allow as a candidate. The cache key carries the shader's and the variant list's fingerprint, so
// editing either re-tunes.
import { Arena, ArenaPlan, type TensorRange } from '../../gpu/arena.ts';
import { adapterKey, fingerprint, type TuneProblem } from '../../gpu/autotune.ts';
import { readF32 } from '../../gpu/readback.ts';
import type { OpContext } from '../../gpu/op-context.ts';
import { Rng } from '../../data/prng.ts';
import { shader } from '../../shaders/index.ts';
import { matmulTileProblem, parseMatmulProductKey, prepareMatmulProduct, type MatmulProductShape } from './matmul.ts';
import { DEFAULT_MATMUL_VARIANT, MATMUL_VARIANTS } from './matmul-variants.ts';

/** f32 products of up to a few thousand terms in another order differ by ~1e-6 of the scale; a wrong index by O(1). */
const TOLERANCE = 1e-3;

export interface MatmulTuneProblem extends TuneProblem {
  shape: MatmulProductShape;
  io: { a: TensorRange; b: TensorRange; c: TensorRange };
}

/** One problem for the product `key` ("matmul NT 256x128x384"); null if the key is not a matmul's. */
export async function matmulTuneProblem(ctx: OpContext, key: string, seed = 1): Promise<MatmulTuneProblem | null> {
  const pr = parseMatmulProductKey(key);
  if (!pr) return null;
  const gpu = ctx.gpu;
  const arena = Arena.build(gpu, new ArenaPlan().add('t', 'a', [pr.rows * pr.inner]).add('t', 'b', [pr.inner * pr.cols]).add('t', 'c', [pr.rows * pr.cols]));
  const rng = new Rng(seed, pr.rows * 7919 + pr.cols);
  arena.write('a', rng.uniformArray(pr.rows * pr.inner, -1, 1));
  arena.write('b', rng.uniformArray(pr.inner * pr.cols, -1, 1));
  const io = { a: arena.get('a'), b: arena.get('b'), c: arena.get('c') };
  const nan = new Float32Array(pr.rows * pr.cols).fill(NaN);
  const reference = await prepareMatmulProduct(ctx, io, pr, { naive: true });
  const lim = gpu.device.limits;
  return {
    key,
    cacheKey: `${adapterKey(gpu)}|matmul ${fingerprint(shader('matmul.wgsl').code + JSON.stringify(MATMUL_VARIANTS))}|${key}`,
    cost: 2 * pr.rows * pr.inner * pr.cols,
    defaultId: DEFAULT_MATMUL_VARIANT[gpu.profile],
    reference: { id: 'naive', record: (enc) => reference.record(enc) },
    candidates: MATMUL_VARIANTS.filter((v) => matmulTileProblem(v.tile, lim) === null).map((v) => ({
      id: v.id,
      prepare: async () => {
        const op = await prepareMatmulProduct(ctx, io, pr, { tile: v.tile });
        return { id: v.id, record: (enc) => op.record(enc) };
      },
    })),
    poison: () => arena.write('c', nan),
    read: () => readF32(gpu, io.c),
    tolerance: TOLERANCE,
    release: () => arena.destroy(),
    shape: pr,
    io,
  };
}

/** The problems for every matmul product in `keys` (other kernels' keys are skipped). */
export async function matmulTuneProblems(ctx: OpContext, keys: readonly string[]): Promise<MatmulTuneProblem[]> {
  const out: MatmulTuneProblem[] = [];
  for (const k of keys) {
    const p = await matmulTuneProblem(ctx, k);
    if (p) out.push(p);
  }
  return out;
}
