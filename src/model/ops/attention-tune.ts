// Attention as tuning problems (gpu/autotune.ts): one per pass and shape the current model
// prepared ("attention fwd 32x16x32x2"), on seeded q, k, v with padded rows, in a small arena of
// its own. The reference is the 'simple' kernel (a thread per query, then per key); the
// candidates are attention.ts's variants. The forward is compared on probs and out; the backward
// accumulates into dqkv, so its poison is a seeded non-zero start (as layernorm-tune.ts does).
import { Arena, ArenaPlan } from '../../gpu/arena.ts';
import { adapterKey, fingerprint, variantCandidates, type TuneProblem } from '../../gpu/autotune.ts';
import { readF32Concat } from '../../gpu/readback.ts';
import { StepEncoder } from '../../gpu/step-encoder.ts';
import type { OpContext } from '../../gpu/op-context.ts';
import { Rng } from '../../data/prng.ts';
import { shader } from '../../shaders/index.ts';
import { ATTENTION_VARIANTS, attentionBackwardScratch, defaultAttentionVariant, parseAttentionKey, prepareAttentionBackward, prepareAttentionForward, type AttentionVariant } from './attention.ts';

const TOLERANCE = 1e-3;

/** One problem for `key`; null if the key is not attention's. */
export async function attentionTuneProblem(ctx: OpContext, key: string, seed = 1): Promise<TuneProblem | null> {
  const k = parseAttentionKey(key);
  if (!k) return null;
  const { shape } = k;
  const { B, T, C, NH } = shape;
  const gpu = ctx.gpu;
  const [dscores] = attentionBackwardScratch(shape);
  const plan = new ArenaPlan().add('t', 'qkv', [B, T, 3 * C]).add('t', 'mask', [B, T], 'u32').add('t', 'probs', [B, NH, T, T]).add('t', 'out', [B, T, C]);
  plan.add('t', 'dout', [B, T, C]).add('t', 'dqkv', [B, T, 3 * C]).add('t', dscores!.name, dscores!.shape);
  const arena = Arena.build(gpu, plan);
  const t = (n: string) => arena.get(n);
  const rng = new Rng(seed, B * T * 31 + C);
  // Odd rows padded to three quarters of T, so the key mask matters.
  const len = (b: number) => (b % 2 ? Math.max(1, Math.ceil((3 * T) / 4)) : T);
  arena.write('qkv', rng.uniformArray(B * T * 3 * C, -2, 2));
  arena.write('mask', Uint32Array.from({ length: B * T }, (_, i) => +(i % T < len(Math.floor(i / T)))));
  arena.write('dout', rng.uniformArray(B * T * C, -1, 1));
  const start = rng.uniformArray(B * T * 3 * C, -1, 1);
  const fwdIo = { qkv: t('qkv'), mask: t('mask'), probs: t('probs'), out: t('out') };
  // The backward reads the forward's probs: computed once here, queued before any candidate runs.
  const forward = await prepareAttentionForward(ctx, fwdIo, shape, { variant: 'simple' });
  const enc = new StepEncoder(gpu, { label: `tune ${key} setup` });
  forward.record(enc);
  enc.submit();
  const prepare = (variant: AttentionVariant) =>
    k.pass === 'fwd' ? prepareAttentionForward(ctx, fwdIo, shape, { variant }) : prepareAttentionBackward(ctx, { ...fwdIo, dout: t('dout'), dqkv: t('dqkv'), scratch: [t(dscores!.name)] }, shape, { variant });
  const reference = await prepare('simple');
  const outputs = k.pass === 'fwd' ? ['probs', 'out'] : ['dqkv'];
  const code = shader('attention.wgsl').code + shader('attention_simple.wgsl').code;
  return {
    key,
    cacheKey: `${adapterKey(gpu)}|attention ${fingerprint(code + ATTENTION_VARIANTS.join())}|${key}`,
    cost: 4 * B * T * T * C * (k.pass === 'fwd' ? 1 : 2),
    defaultId: defaultAttentionVariant(ctx),
    reference: { id: 'simple', record: (enc) => reference.record(enc) },
    candidates: variantCandidates(ATTENTION_VARIANTS, prepare),
    poison: () => {
      if (k.pass === 'fwd') for (const n of outputs) arena.write(n, new Float32Array(t(n).numel).fill(NaN));
      else arena.write('dqkv', start);
    },
    read: () => readF32Concat(gpu, outputs.map(t)),
    tolerance: TOLERANCE,
    release: () => arena.destroy(),
  };
}
