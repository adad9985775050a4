// Launchers for shaders/electra.wgsl: the two GPU steps between ELECTRA's generator and its
// discriminator. prepareGumbelSample draws one token per prediction slot from the generator's
// softmax; prepareReplaceTokens writes the discriminator's inputs, labels and loss weights.
// Not here: the models themselves, their losses, or choosing what to mask (src/masking).
import type { TensorRange } from '../../gpu/arena.ts';
import { bindGroup } from '../../gpu/pipelines.ts';
import { shader } from '../../shaders/index.ts';
import { fitWorkgroup, grid1d, uniformBlock, type OpContext, type PreparedOp } from '../../gpu/op-context.ts';

/** Bits of SampleParams.flags; = the FLAG_ constants in shaders/electra.wgsl. */
export const GUMBEL_FLAGS = { disallowCorrect: 1, uniform: 2 } as const;

/** XORed into the run seed for the sampler's noise, so it is not the masking's hash4(seed, step, b, t). */
export const SALT_GUMBEL = 0x2545f491;

/** The sampler's seed (u32) for a run seed: pass this as opts.seed, not the masking seed itself. */
export function gumbelSeed(runSeed: number): number {
  return (runSeed ^ SALT_GUMBEL) >>> 0;
}

export interface GumbelSampleOptions {
  /** Softmax temperature T > 0 (ELECTRA samples at T = 1). */
  temperature: number;
  /** Never return the slot's target (ELECTRA's −1000 on the original token's logit). */
  disallowCorrect: boolean;
  /** ELECTRA's uniform_generator: logits are not read; uniform over ids ≥ firstOrdinary. */
  uniform: boolean;
  /** Lowest ordinary id; ids below are specials ([PAD] [UNK] [CLS] [SEP] [MASK]). */
  firstOrdinary: number;
  /**
   * u32. The noise is hash4(seed, step, slot, v), the coordinates the masking kernels hash as
   * (seed, step, b, t): pass gumbelSeed(runSeed) so the noise is not correlated with the mask.
   */
  seed: number;
  /** Threads per row (power of two); default from the adapter profile, as for cross-entropy. */
  wg?: number;
}

function expectRange(op: string, r: TensorRange, numel: number, dtype: string, what: string): void {
  if (r.numel !== numel) throw new Error(`${op}: ${r.name} has ${r.numel} elements, expected ${numel} (${what})`);
  if (r.dtype !== dtype) throw new Error(`${op}: ${r.name} is ${r.dtype}, expected ${dtype} (${what})`);
}

function checkStep(op: string, step: number): void {
  if (!Number.isInteger(step) || step < 0 || step > 0xffffffff) throw new Error(`${op}: step must be a u32, got ${step}`);
}

/**
 * logits (M,V) f32 (only read; any f32 range in uniform mode), targets (M) u32, weights (M) f32 (0 = unused slot) →
 * sampled (M) u32: per row argmax_v logits/T + g_v with Gumbel noise g_v = −log(−log u),
 * u = ((hash4(seed, step, row, v) >> 8) + ½)/2²⁴ (ties: lowest index), i.e. one draw from
 * softmax(logits/T) over the candidates (all ids; minus the target with disallowCorrect; only
 * ids ≥ firstOrdinary, logits taken as 0, with uniform). A row with weight 0 or no candidate gets
 * its target. One workgroup per row. setStep(step) before recording each step.
 */
export async function prepareGumbelSample(
  ctx: OpContext,
  io: { logits: TensorRange; targets: TensorRange; weights: TensorRange; sampled: TensorRange },
  shape: { M: number; V: number },
  opts: GumbelSampleOptions,
): Promise<PreparedOp & { setStep(step: number): void }> {
  const { M, V } = shape;
  const op = 'gumbel sample';
  // Uniform mode never reads the logits, so a run without a generator may bind any small f32
  // range there (it has no (M,V) logits tensor).
  if (!opts.uniform) expectRange(op, io.logits, M * V, 'f32', 'logits (M,V)');
  expectRange(op, io.targets, M, 'u32', 'targets (M)');
  expectRange(op, io.weights, M, 'f32', 'weights (M)');
  expectRange(op, io.sampled, M, 'u32', 'sampled (M)');
  const { temperature: T, firstOrdinary, seed } = opts;
  if (!(T > 0) || !Number.isFinite(1 / T)) throw new Error(`${op}: temperature must be > 0 (and 1/T finite), got ${T}`);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new Error(`${op}: seed must be a u32, got ${seed}`);
  if (opts.uniform && (!Number.isInteger(firstOrdinary) || firstOrdinary < 0 || firstOrdinary >= V)) {
    throw new Error(`${op}: uniform mode needs 0 ≤ firstOrdinary < V = ${V}, got ${firstOrdinary}`);
  }
  // As cross-entropy: on a GPU ~4 ids per thread; on a CPU adapter at most 64 (barriers cost
  // per invocation there).
  const wg = opts.wg ?? (ctx.gpu.profile === 'cpu' ? fitWorkgroup(V, 16, 64) : fitWorkgroup(Math.ceil(V / 4), 32, 256));
  const kernel = await ctx.cache.kernel({
    shader: shader('electra.wgsl'),
    entry: 'gumbel_sample',
    bindings: ['uniform', 'storage', 'storage', 'storage', 'storage'],
    constants: { WG: wg },
  });
  const flags = (opts.disallowCorrect ? GUMBEL_FLAGS.disallowCorrect : 0) | (opts.uniform ? GUMBEL_FLAGS.uniform : 0);
  const block = (step: number) =>
    uniformBlock([
      ['u32', M],
      ['u32', V],
      ['u32', seed],
      ['u32', step],
      ['f32', 1 / T],
      ['u32', flags],
      ['u32', opts.uniform ? firstOrdinary : 0],
      ['u32', 0],
    ]);
  const params = ctx.uniforms.alloc(block(0), `gumbel_sample:${io.sampled.name}`);
  const group = bindGroup(ctx.gpu, kernel, [params, io.sampled, io.logits, io.targets, io.weights]);
  const [gx, gy] = grid1d(M, ctx.gpu.device.limits.maxComputeWorkgroupsPerDimension);
  return {
    setStep(step) {
      checkStep(op, step);
      ctx.uniforms.update(params, block(step));
    },
    record: (enc) => enc.dispatch(kernel, group, gx, gy, 1, `gumbel_sample ${io.sampled.name}`),
  };
}

/**
 * tokens (B,T) u32, attnMask (B,T) u32 (1 = real token), and the masking's slots positions,
 * targets (= tokens at the positions), weights (0 = unused), with the generator's sampled (B,P) →
 * discInputs (B,T) u32 = tokens with sampled written at every used slot's position,
 * labels (B,T) f32 = 1 where that changed the token (sampled ≠ target) else 0,
 * lossWeights (B,T) f32 = attnMask (every real token), or 1 only at used slots with maskedOnly,
 * rowStats (B,4) u32 = [used slots, sampled == target, replaced, real tokens], stats (4) u32 =
 * Σ over rows. Three dispatches: copy (per token), replace (per slot), stats (one workgroup).
 */
export async function prepareReplaceTokens(
  ctx: OpContext,
  io: {
    tokens: TensorRange;
    attnMask: TensorRange;
    positions: TensorRange;
    targets: TensorRange;
    weights: TensorRange;
    sampled: TensorRange;
    discInputs: TensorRange;
    labels: TensorRange;
    lossWeights: TensorRange;
    rowStats: TensorRange;
    stats: TensorRange;
  },
  shape: { B: number; T: number; P: number },
  opts: { maskedOnly: boolean },
): Promise<PreparedOp> {
  const { B, T, P } = shape;
  const op = 'electra replace';
  expectRange(op, io.tokens, B * T, 'u32', 'tokens (B,T)');
  expectRange(op, io.attnMask, B * T, 'u32', 'attnMask (B,T)');
  expectRange(op, io.positions, B * P, 'u32', 'positions (B,P)');
  expectRange(op, io.targets, B * P, 'u32', 'targets (B,P)');
  expectRange(op, io.weights, B * P, 'f32', 'weights (B,P)');
  expectRange(op, io.sampled, B * P, 'u32', 'sampled (B,P)');
  expectRange(op, io.discInputs, B * T, 'u32', 'discInputs (B,T)');
  expectRange(op, io.labels, B * T, 'f32', 'labels (B,T)');
  expectRange(op, io.lossWeights, B * T, 'f32', 'lossWeights (B,T)');
  expectRange(op, io.rowStats, B * 4, 'u32', 'rowStats (B,4)');
  expectRange(op, io.stats, 4, 'u32', 'stats (4)');
  const src = shader('electra.wgsl');
  const outs = ['uniform', 'storage', 'storage', 'storage', 'storage'] as const;
  // Threads stride over a row's positions (copy) or slots (replace); their count as a power of two.
  const copy = await ctx.cache.kernel({ shader: src, entry: 'electra_copy', bindings: [...outs, 'storage', 'storage'], constants: { WG: fitWorkgroup(T, 16, 128) } });
  const replace = await ctx.cache.kernel({
    shader: src,
    entry: 'electra_replace',
    bindings: [...outs, 'storage', 'storage', 'storage', 'storage'],
    constants: { WG: fitWorkgroup(P, 16, 64) },
  });
  const sum = await ctx.cache.kernel({ shader: src, entry: 'electra_stats', bindings: ['uniform', 'storage', 'storage'], constants: { WG: 64 } });
  const params = ctx.uniforms.alloc(
    uniformBlock([
      ['u32', B],
      ['u32', T],
      ['u32', P],
      ['u32', opts.maskedOnly ? 1 : 0],
    ]),
    `electra_replace:${io.discInputs.name}`,
  );
  const written = [params, io.discInputs, io.labels, io.lossWeights, io.rowStats];
  const copyGroup = bindGroup(ctx.gpu, copy, [...written, io.tokens, io.attnMask]);
  const replaceGroup = bindGroup(ctx.gpu, replace, [...written, io.positions, io.targets, io.weights, io.sampled]);
  const sumGroup = bindGroup(ctx.gpu, sum, [params, io.rowStats, io.stats]);
  const [gx, gy] = grid1d(B, ctx.gpu.device.limits.maxComputeWorkgroupsPerDimension);
  return {
    record(enc) {
      // In this order: replace overwrites what copy wrote; stats reads both halves of rowStats.
      enc.dispatch(copy, copyGroup, gx, gy, 1, `electra_copy ${io.discInputs.name}`);
      enc.dispatch(replace, replaceGroup, gx, gy, 1, `electra_replace ${io.discInputs.name}`);
      enc.dispatch(sum, sumGroup, 1, 1, 1, `electra_stats ${io.stats.name}`);
    },
  };
}
