// The MLM loss as tuning problems (gpu/autotune.ts): one per shape the current model prepared
// ("crossentropy 640x4096"), on seeded logits in a small arena of its own, the 'tree' kernel as
// the reference and the variants this device runs (crossentropy.ts) as candidates. The kernel
// writes dlogits over its logits, so poison() writes the logits back and NaN into losses and
// correct. What is compared: dlogits·M (every weight is 1, so that is softmax − onehot, of order 1
// like the losses, instead of 1/M, which the check's floor would hide), the losses and correct.
import { Arena, ArenaPlan, type TensorRange } from '../../gpu/arena.ts';
import { adapterKey, fingerprint, variantCandidates, type TuneProblem } from '../../gpu/autotune.ts';
import { readF32 } from '../../gpu/readback.ts';
import type { OpContext } from '../../gpu/op-context.ts';
import { Rng } from '../../data/prng.ts';
import { shader } from '../../shaders/index.ts';
import { CROSSENTROPY_SHADERS, CROSSENTROPY_VARIANTS, crossEntropyVariantsOn, parseCrossEntropyKey, prepareCrossEntropy, type CrossEntropyVariant } from './crossentropy.ts';

const TOLERANCE = 1e-3;

export interface CrossEntropyTuneProblem extends TuneProblem {
  io: { logits: TensorRange; targets: TensorRange; weights: TensorRange; losses: TensorRange; correct: TensorRange };
}

/** One problem for `key`; null if the key is not the loss's. */
export async function crossEntropyTuneProblem(ctx: OpContext, key: string, seed = 1): Promise<CrossEntropyTuneProblem | null> {
  const shape = parseCrossEntropyKey(key);
  if (!shape) return null;
  const { M, V } = shape;
  const gpu = ctx.gpu;
  const arena = Arena.build(gpu, new ArenaPlan().add('t', 'logits', [M, V]).add('t', 'losses', [M]).add('t', 'correct', [M]).add('t', 'weights', [M]).add('t', 'targets', [M], 'u32'));
  const t = (n: string) => arena.get(n);
  const rng = new Rng(seed, M * 7919 + V);
  const logits = rng.uniformArray(M * V, -4, 4);
  arena.write('weights', new Float32Array(M).fill(1));
  arena.write('targets', Uint32Array.from({ length: M }, () => rng.int(V)));
  const io = { logits: t('logits'), targets: t('targets'), weights: t('weights'), losses: t('losses'), correct: t('correct') };
  const prepare = (variant: CrossEntropyVariant) => prepareCrossEntropy(ctx, io, shape, { variant });
  const reference = await prepare('tree');
  const nan = new Float32Array(M).fill(NaN);
  const code = CROSSENTROPY_VARIANTS.map((v) => shader(CROSSENTROPY_SHADERS[v]).code).join('');
  return {
    key,
    cacheKey: `${adapterKey(gpu)}|crossentropy ${fingerprint(code + CROSSENTROPY_VARIANTS.join())}|${key}`,
    cost: 4 * M * V,
    defaultId: 'tree',
    reference: { id: 'tree', record: (enc) => reference.record(enc) },
    candidates: variantCandidates(crossEntropyVariantsOn(ctx), prepare),
    poison: () => {
      arena.write('logits', logits);
      arena.write('losses', nan);
      arena.write('correct', nan);
    },
    read: async () => {
      const [dl, losses, correct] = await Promise.all([readF32(gpu, io.logits), readF32(gpu, io.losses), readF32(gpu, io.correct)]);
      const out = new Float32Array(M * V + 2 * M);
      out.set(dl.map((x) => x * M));
      out.set(losses, M * V);
      out.set(correct, M * V + M);
      return out;
    },
    tolerance: TOLERANCE,
    release: () => arena.destroy(),
    io,
  };
}
