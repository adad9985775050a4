// Launcher for shaders/reduce.wgsl. sum: inp (N) → out (1), via partials (G).
// Two dispatches: N → G partials (G workgroups), then G → 1 (one workgroup).
import type { TensorRange } from '../../gpu/arena.ts';
import { bindGroup } from '../../gpu/pipelines.ts';
import { shader } from '../../shaders/index.ts';
import { uniformBlock, type OpContext, type PreparedOp } from '../../gpu/op-context.ts';

export async function prepareSum(
  ctx: OpContext,
  inp: TensorRange,
  partials: TensorRange,
  out: TensorRange,
  opts: { wg?: number } = {},
): Promise<PreparedOp> {
  const wg = opts.wg ?? 256;
  const g = partials.numel;
  if (g > ctx.gpu.device.limits.maxComputeWorkgroupsPerDimension) throw new Error(`sum: ${g} partials exceed the workgroup limit`);
  if (out.numel < 1) throw new Error('sum: out needs one element');
  const kernel = await ctx.cache.kernel({
    shader: shader('reduce.wgsl'),
    entry: 'sum',
    bindings: ['storage', 'storage', 'uniform'],
    constants: { WG: wg },
  });
  const first = bindGroup(ctx.gpu, kernel, [inp, partials, ctx.uniforms.alloc(uniformBlock([['u32', inp.numel]]), `sum:${inp.name}`)]);
  const second = bindGroup(ctx.gpu, kernel, [partials, out, ctx.uniforms.alloc(uniformBlock([['u32', g]]), `sum:${partials.name}`)]);
  return {
    record(enc) {
      enc.dispatch(kernel, first, g, 1, 1, `sum ${inp.name}`);
      enc.dispatch(kernel, second, 1, 1, 1, `sum ${partials.name}`);
    },
  };
}
