// The gradient norm as tuning problems (gpu/autotune.ts): one per pool size the current model
// prepared ("gradnorm 20932"), on seeded gradients in a small arena of its own, the 'tree' kernels
// as the reference and the variants this device runs (adamw.ts) as candidates. What is compared
// is the 4-float result [‖g‖, clip scale, 0, 0].
import { Arena, ArenaPlan } from '../../gpu/arena.ts';
import { adapterKey, fingerprint, variantCandidates, type TuneProblem } from '../../gpu/autotune.ts';
import { readF32 } from '../../gpu/readback.ts';
import type { OpContext } from '../../gpu/op-context.ts';
import { Rng } from '../../data/prng.ts';
import { shader } from '../../shaders/index.ts';
import { GRADNORM_SHADERS, GRADNORM_VARIANTS, gradNormScratch, gradNormVariantsOn, parseGradNormKey, prepareGradNorm, type GradNormVariant } from './adamw.ts';

const TOLERANCE = 1e-4;
/** A clip bound below the seeded gradients' norm, so the scale is checked too. */
const MAX_NORM = 0.5;

/** One problem for `key`; null if the key is not the norm's. */
export async function gradNormTuneProblem(ctx: OpContext, key: string, seed = 1): Promise<TuneProblem | null> {
  const shape = parseGradNormKey(key);
  if (!shape) return null;
  const { N } = shape;
  const gpu = ctx.gpu;
  const [partials] = gradNormScratch(shape);
  const arena = Arena.build(gpu, new ArenaPlan().add('t', 'grads', [N]).add('t', 'gradnorm', [4]).add('t', partials!.name, partials!.shape));
  const t = (n: string) => arena.get(n);
  arena.write('grads', new Rng(seed, N).uniformArray(N, -1, 1));
  const io = { grads: t('grads'), partials: t(partials!.name), gradnorm: t('gradnorm') };
  const prepare = (variant: GradNormVariant) => prepareGradNorm(ctx, io, shape, { maxNorm: MAX_NORM, variant });
  const reference = await prepare('tree');
  const code = GRADNORM_VARIANTS.map((v) => shader(GRADNORM_SHADERS[v]).code).join('');
  return {
    key,
    cacheKey: `${adapterKey(gpu)}|gradnorm ${fingerprint(code + GRADNORM_VARIANTS.join())}|${key}`,
    cost: 2 * N,
    defaultId: 'tree',
    reference: { id: 'tree', record: (enc) => reference.record(enc) },
    candidates: variantCandidates(gradNormVariantsOn(ctx), prepare),
    poison: () => arena.write('gradnorm', new Float32Array(4).fill(NaN)),
    read: () => readF32(gpu, io.gradnorm),
    tolerance: TOLERANCE,
    release: () => arena.destroy(),
  };
}
