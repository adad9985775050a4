// LayerNorm as tuning problems (gpu/autotune.ts): one per pass and shape the current model
// prepared ("layernorm fwd 512x32", "layernorm bwd 512x32"), on seeded rows in a small arena of
// its own. The reference is the 'simple' kernel (a thread per row, sums in column order); the
// candidates are the variants this device runs (layernorm.ts: 'tiled', 'simple', 'subgroup').
// The backward accumulates into dinp, dweight and dbias, so its "poison" is a seeded non-zero
// start rather than NaN: a kernel that skips an output leaves the start there and fails the check.
import { Arena, ArenaPlan } from '../../gpu/arena.ts';
import { adapterKey, fingerprint, variantCandidates, type TuneProblem } from '../../gpu/autotune.ts';
import { readF32Concat } from '../../gpu/readback.ts';
import type { OpContext } from '../../gpu/op-context.ts';
import { Rng } from '../../data/prng.ts';
import { shader } from '../../shaders/index.ts';
import {
  defaultLayernormVariant,
  LAYERNORM_SHADERS,
  LAYERNORM_VARIANTS,
  layernormBackwardScratch,
  layernormVariantsOn,
  parseLayernormKey,
  prepareLayernormBackward,
  prepareLayernormForward,
  type LayernormVariant,
} from './layernorm.ts';

/** Row sums of up to a few thousand terms in another order: ~1e-6 of the scale; a wrong row: O(1). */
const TOLERANCE = 1e-3;
const EPS = 1e-12;

/** One problem for `key`; null if the key is not a LayerNorm's. */
export async function layernormTuneProblem(ctx: OpContext, key: string, seed = 1): Promise<TuneProblem | null> {
  const k = parseLayernormKey(key);
  if (!k) return null;
  const { R, C } = k;
  const shape = { R, C };
  const gpu = ctx.gpu;
  const plan = new ArenaPlan();
  for (const [name, dims] of [['inp', [R, C]], ['out', [R, C]], ['mean', [R]], ['rstd', [R]], ['weight', [C]], ['bias', [C]], ['dout', [R, C]], ['dinp', [R, C]], ['dweight', [C]], ['dbias', [C]]] as const) plan.add('t', name, [...dims]);
  const scratch = layernormBackwardScratch(shape);
  for (const s of scratch) plan.add('t', s.name, s.shape, s.dtype);
  const arena = Arena.build(gpu, plan);
  const t = (n: string) => arena.get(n);
  const rng = new Rng(seed, R * 7919 + C);
  // Rows with an offset, so centering matters; mean and rstd as a forward would leave them.
  const inp = rng.uniformArray(R * C, -1, 1).map((v) => 1 + 2 * v);
  const mean = new Float32Array(R);
  const rstd = new Float32Array(R);
  for (let r = 0; r < R; r++) {
    const row = inp.subarray(r * C, (r + 1) * C);
    const m = row.reduce((a, x) => a + x, 0) / C;
    mean[r] = m;
    rstd[r] = 1 / Math.sqrt(row.reduce((a, x) => a + (x - m) ** 2, 0) / C + EPS);
  }
  arena.write('inp', inp);
  arena.write('weight', rng.uniformArray(C, 0.5, 1.5));
  arena.write('bias', rng.uniformArray(C, -0.5, 0.5));
  arena.write('dout', rng.uniformArray(R * C, -1, 1));
  const start = { dinp: rng.uniformArray(R * C, -1, 1), dweight: rng.uniformArray(C, -1, 1), dbias: rng.uniformArray(C, -1, 1) };

  const fwdIo = { inp: t('inp'), weight: t('weight'), bias: t('bias'), out: t('out'), mean: t('mean'), rstd: t('rstd') };
  const bwdIo = { inp: t('inp'), weight: t('weight'), mean: t('mean'), rstd: t('rstd'), dout: t('dout'), dinp: t('dinp'), dweight: t('dweight'), dbias: t('dbias'), scratch: scratch.map((s) => t(s.name)) };
  const prepare = (variant: LayernormVariant) => (k.pass === 'fwd' ? prepareLayernormForward(ctx, fwdIo, shape, { eps: EPS, variant }) : prepareLayernormBackward(ctx, bwdIo, shape, { variant }));
  const outputs = k.pass === 'fwd' ? ['out', 'mean', 'rstd'] : ['dinp', 'dweight', 'dbias'];
  const reference = await prepare('simple');
  const code = LAYERNORM_VARIANTS.map((v) => shader(LAYERNORM_SHADERS[v]).code).join('');
  return {
    key,
    cacheKey: `${adapterKey(gpu)}|layernorm ${fingerprint(code + LAYERNORM_VARIANTS.join())}|${key}`,
    cost: (k.pass === 'fwd' ? 8 : 14) * R * C,
    defaultId: defaultLayernormVariant(ctx),
    reference: { id: 'simple', record: (enc) => reference.record(enc) },
    candidates: variantCandidates(layernormVariantsOn(ctx), prepare),
    poison: () => {
      if (k.pass === 'fwd') for (const n of outputs) arena.write(n, new Float32Array(t(n).numel).fill(NaN));
      else for (const n of outputs) arena.write(n, start[n as keyof typeof start]);
    },
    read: () => readF32Concat(gpu, outputs.map(t)),
    tolerance: TOLERANCE,
    release: () => arena.destroy(),
  };
}
