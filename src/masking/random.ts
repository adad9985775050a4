// GPU launcher for BERT random-token masking (shaders/masking.wgsl). The CPU twin, the config and
// the rules (budget rounding, thresholds, salts, special ids) live in ./reference.ts; this file
// only turns them into uniforms, so the two cannot drift apart.
// Not here: the budget formula itself, tokenization, or other masking strategies.
import type { TensorRange } from '../gpu/arena.ts';
import { bindGroup } from '../gpu/pipelines.ts';
import { fitWorkgroup, grid1d, type OpContext, type PreparedOp } from '../gpu/op-context.ts';
import { shader } from '../shaders/index.ts';
import { corruptionThresholds, maskBudget, MASKING_MAX_T, validateMasking, type RandomMaskingConfig } from './reference.ts';

export type { RandomMaskingConfig } from './reference.ts';

function expectRange(r: TensorRange, numel: number, dtype: string, what: string): void {
  if (r.numel !== numel) throw new Error(`random masking: ${r.name} has ${r.numel} elements, expected ${numel} (${what})`);
  if (r.dtype !== dtype) throw new Error(`random masking: ${r.name} is ${r.dtype}, expected ${dtype} (${what})`);
}

/**
 * tokens (B,T) u32 original ids (with [CLS] … [SEP] [PAD]…) → inputs (B,T) u32 (corrupted),
 * positions (B,P) u32, targets (B,P) u32 (original ids), weights (B,P) f32, record (B,T) u32
 * (0 none, 1 MASK, 2 RANDOM, 3 KEEP in the low 2 bits; the position in bits 8+; 0 for unmasked).
 * setStep(step) before recording each step: the mask is a pure function of (seed, step, b, t).
 */
export async function prepareRandomMasking(
  ctx: OpContext,
  io: { tokens: TensorRange; inputs: TensorRange; positions: TensorRange; targets: TensorRange; weights: TensorRange; record: TensorRange },
  shape: { B: number; T: number; P: number },
  cfg: RandomMaskingConfig,
  opts: { wg?: number } = {},
): Promise<PreparedOp & { setStep(step: number): void }> {
  const { B, T, P } = shape;
  validateMasking(cfg, T, P);
  expectRange(io.tokens, B * T, 'u32', 'tokens (B,T)');
  expectRange(io.inputs, B * T, 'u32', 'inputs (B,T)');
  expectRange(io.positions, B * P, 'u32', 'positions (B,P)');
  expectRange(io.targets, B * P, 'u32', 'targets (B,P)');
  expectRange(io.weights, B * P, 'f32', 'weights (B,P)');
  expectRange(io.record, B * T, 'u32', 'record (B,T)');
  const kernel = await ctx.cache.kernel({
    shader: shader('masking.wgsl'),
    entry: 'random_masking',
    bindings: ['storage', 'storage', 'storage', 'storage', 'storage', 'storage', 'uniform', 'uniform'],
    // Threads stride over positions; T threads (as a power of two) leave none idle.
    constants: { WG: opts.wg ?? fitWorkgroup(shape.T, 16, 128) },
  });
  const thr = corruptionThresholds(cfg);
  const block = (step: number) =>
    Uint32Array.from([B, T, P, cfg.seed >>> 0, step >>> 0, thr.mask, thr.maskOrRandom, cfg.vocabSize]);
  const table = new Uint32Array(MASKING_MAX_T + 4); // 129 vec4 = L 0..512 (+3 unused)
  for (let L = 0; L <= MASKING_MAX_T; L++) table[L] = maskBudget(L, P, cfg);
  const params = ctx.uniforms.alloc(block(0), `random_masking:${io.inputs.name}`);
  const budget = ctx.uniforms.alloc(table, `random_masking.budget:${io.inputs.name}`);
  const group = bindGroup(ctx.gpu, kernel, [io.tokens, io.inputs, io.positions, io.targets, io.weights, io.record, params, budget]);
  const [gx, gy] = grid1d(B, ctx.gpu.device.limits.maxComputeWorkgroupsPerDimension);
  return {
    setStep(step) {
      if (!Number.isInteger(step) || step < 0 || step > 0xffffffff) throw new Error(`random masking: step must be a u32, got ${step}`);
      ctx.uniforms.update(params, block(step));
    },
    record: (enc) => enc.dispatch(kernel, group, gx, gy, 1, `random_masking ${io.inputs.name}`),
  };
}
