// Launchers for shaders/position.wgsl (position prediction, MP3): the seeded context mask that
// picks which tokens serve as keys and values, and the mean position error of the predictions.
// Not here: the model (src/objectives/position), its head or its cross-entropy (the existing op).
import type { TensorRange } from '../../gpu/arena.ts';
import { bindGroup } from '../../gpu/pipelines.ts';
import { shader } from '../../shaders/index.ts';
import { grid1d, uniformBlock, type OpContext, type PreparedOp } from '../../gpu/op-context.ts';

/** η as the shaders take it: round(η·65536), so ⌊n·η⌋ = (n·etaQ) >> 16 on both sides. */
export function etaQ(eta: number): number {
  if (!(eta >= 0 && eta < 1)) throw new Error(`position context: η must be in [0, 1), got ${eta}`);
  return Math.round(eta * 65536);
}

function expectRange(op: string, r: TensorRange, numel: number, dtype: string, what: string): void {
  if (r.numel !== numel) throw new Error(`${op}: ${r.name} has ${r.numel} elements, expected ${numel} (${what})`);
  if (r.dtype !== dtype) throw new Error(`${op}: ${r.name} is ${r.dtype}, expected ${dtype} (${what})`);
}

const u32 = (op: string, what: string, v: number) => {
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new Error(`${op}: ${what} must be a u32, got ${v}`);
};

/**
 * real (B,T) u32 (1 = real token) → ctx (B,T) u32: per row the k = max(1, n − ⌊n·η⌋) real tokens
 * with the smallest hash4(seed, step, b, t) (see the shader). setStep(step) before each record.
 */
export async function prepareContextMask(
  ctx: OpContext,
  io: { real: TensorRange; ctx: TensorRange },
  shape: { B: number; T: number },
  opts: { seed: number; eta: number },
): Promise<PreparedOp & { setStep(step: number): void }> {
  const { B, T } = shape;
  const op = 'position context';
  expectRange(op, io.real, B * T, 'u32', 'real (B,T)');
  expectRange(op, io.ctx, B * T, 'u32', 'ctx (B,T)');
  u32(op, 'seed', opts.seed);
  const q = etaQ(opts.eta);
  const wg = 64;
  const kernel = await ctx.cache.kernel({ shader: shader('position.wgsl'), entry: 'position_context', bindings: ['uniform', 'storage', 'storage'], constants: { WG: wg } });
  const block = (step: number) => uniformBlock([['u32', B], ['u32', T], ['u32', opts.seed], ['u32', step], ['u32', q]]);
  const params = ctx.uniforms.alloc(block(0), `position_context:${io.ctx.name}`);
  const group = bindGroup(ctx.gpu, kernel, [params, io.real, io.ctx]);
  const [gx, gy] = grid1d(Math.ceil((B * T) / wg), ctx.gpu.device.limits.maxComputeWorkgroupsPerDimension);
  return {
    setStep(step) {
      u32(op, 'step', step);
      ctx.uniforms.update(params, block(step));
    },
    record: (enc) => enc.dispatch(kernel, group, gx, gy, 1, `position_context ${io.ctx.name}`),
  };
}

/** logits (M,N) f32, targets (M) u32, weights (M) f32 → out (2) f32 = [Σ w·|argmax − target|, Σ w]. */
export async function preparePositionError(
  ctx: OpContext,
  io: { logits: TensorRange; targets: TensorRange; weights: TensorRange; out: TensorRange },
  shape: { M: number; N: number },
): Promise<PreparedOp> {
  const { M, N } = shape;
  const op = 'position error';
  expectRange(op, io.logits, M * N, 'f32', 'logits (M,N)');
  expectRange(op, io.targets, M, 'u32', 'targets (M)');
  expectRange(op, io.weights, M, 'f32', 'weights (M)');
  if (io.out.numel < 2 || io.out.dtype !== 'f32') throw new Error(`${op}: ${io.out.name} must be f32 with ≥ 2 elements`);
  const wg = ctx.gpu.profile === 'cpu' ? 64 : 256;
  const kernel = await ctx.cache.kernel({ shader: shader('position.wgsl'), entry: 'position_error', bindings: ['uniform', 'storage', 'storage', 'storage', 'storage'], constants: { WG: wg } });
  const params = ctx.uniforms.alloc(uniformBlock([['u32', M], ['u32', N]]), `position_error:${io.out.name}`);
  const group = bindGroup(ctx.gpu, kernel, [params, io.out, io.logits, io.targets, io.weights]);
  return { record: (enc) => enc.dispatch(kernel, group, 1, 1, 1, `position_error ${io.out.name}`) };
}
