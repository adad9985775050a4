// Launcher for shaders/elementwise.wgsl. axpby: x (N), y (N) → out (N) = alpha·x + beta·y.
import type { TensorRange } from '../../gpu/arena.ts';
import { bindGroup } from '../../gpu/pipelines.ts';
import { shader } from '../../shaders/index.ts';
import { grid1d, uniformBlock, type OpContext, type PreparedOp } from '../../gpu/op-context.ts';

export async function prepareAxpby(
  ctx: OpContext,
  x: TensorRange,
  y: TensorRange,
  out: TensorRange,
  alpha: number,
  beta: number,
  opts: { wg?: number } = {},
): Promise<PreparedOp> {
  const n = out.numel;
  if (x.numel !== n || y.numel !== n) throw new Error(`axpby: sizes differ: x ${x.numel}, y ${y.numel}, out ${n}`);
  const wg = opts.wg ?? 256;
  const kernel = await ctx.cache.kernel({
    shader: shader('elementwise.wgsl'),
    entry: 'axpby',
    bindings: ['storage', 'storage', 'storage', 'uniform'],
    constants: { WG: wg },
  });
  const params = ctx.uniforms.alloc(uniformBlock([['u32', n], ['f32', alpha], ['f32', beta]]), `axpby:${out.name}`);
  const group = bindGroup(ctx.gpu, kernel, [x, y, out, params]);
  const [gx, gy] = grid1d(Math.ceil(n / wg), ctx.gpu.device.limits.maxComputeWorkgroupsPerDimension);
  return { record: (enc) => enc.dispatch(kernel, group, gx, gy, 1, `axpby ${out.name}`) };
}
