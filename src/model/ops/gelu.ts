// Launchers for shaders/gelu.wgsl: standalone elementwise GELU (exact erf form of HF BERT).
// inp (N) → out (N) = gelu(inp); backward dinp (N) += dout ⊙ gelu'(inp).
// What it does not do: the GELU that follows a matmul; that one is fused into the matmul's
// epilogue (model/ops/matmul.ts), which uses this backward only to form its dpre scratch.
import type { TensorRange } from '../../gpu/arena.ts';
import { bindGroup } from '../../gpu/pipelines.ts';
import { shader } from '../../shaders/index.ts';
import { grid1d, uniformBlock, type OpContext, type PreparedOp } from '../../gpu/op-context.ts';

const WG = 256;

function check(op: string, name: string, r: TensorRange, n: number): void {
  if (r.numel !== n) throw new Error(`${op}: ${name} (${r.name}) has ${r.numel} elements, expected N = ${n}`);
  if (r.dtype !== 'f32') throw new Error(`${op}: ${name} (${r.name}) must be f32, is ${r.dtype}`);
}

function grid(ctx: OpContext, n: number): [number, number] {
  return grid1d(Math.ceil(n / WG), ctx.gpu.device.limits.maxComputeWorkgroupsPerDimension);
}

/** inp (N) → out (N) = gelu(inp) = 0.5·inp·(1 + erf(inp/√2)). */
export async function prepareGeluForward(ctx: OpContext, io: { inp: TensorRange; out: TensorRange }, shape: { N: number }): Promise<PreparedOp> {
  const { N } = shape;
  check('gelu forward', 'inp', io.inp, N);
  check('gelu forward', 'out', io.out, N);
  const kernel = await ctx.cache.kernel({
    shader: shader('gelu.wgsl'),
    entry: 'gelu_forward',
    bindings: ['storage', 'storage', 'uniform'],
    constants: { WG },
  });
  const params = ctx.uniforms.alloc(uniformBlock([['u32', N]]), `gelu:${io.out.name}`);
  const group = bindGroup(ctx.gpu, kernel, [io.inp, io.out, params]);
  const [gx, gy] = grid(ctx, N);
  return { record: (enc) => enc.dispatch(kernel, group, gx, gy, 1, `gelu ${io.out.name}`) };
}

/**
 * Differentiates `out = gelu(inp)`: inp (N), dout (N) → dinp (N) += dout ⊙ gelu'(inp).
 * opts.accumulate = false writes dinp = … instead (for a scratch tensor such as the matmul's dpre,
 * which would otherwise need a clear, and a clear ends the step's compute pass).
 */
export async function prepareGeluBackward(
  ctx: OpContext,
  io: { inp: TensorRange; dout: TensorRange; dinp: TensorRange },
  shape: { N: number },
  opts: { accumulate?: boolean } = {},
): Promise<PreparedOp> {
  const { N } = shape;
  check('gelu backward', 'inp', io.inp, N);
  check('gelu backward', 'dout', io.dout, N);
  check('gelu backward', 'dinp', io.dinp, N);
  const kernel = await ctx.cache.kernel({
    shader: shader('gelu.wgsl'),
    entry: 'gelu_backward',
    bindings: ['storage', 'storage', 'storage', 'uniform'],
    constants: { WG, ACCUMULATE: (opts.accumulate ?? true) ? 1 : 0 },
  });
  const params = ctx.uniforms.alloc(uniformBlock([['u32', N]]), `gelu backward:${io.dinp.name}`);
  const group = bindGroup(ctx.gpu, kernel, [io.inp, io.dout, io.dinp, params]);
  const [gx, gy] = grid(ctx, N);
  return { record: (enc) => enc.dispatch(kernel, group, gx, gy, 1, `gelu backward ${io.dinp.name}`) };
}
