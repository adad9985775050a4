// Launchers for shaders/gather.wgsl: pick the B·P masked rows out of the encoder output so the
// MLM head runs on prediction slots only, and scatter their gradient back.
// Not here: choosing positions (src/masking) or the head itself.
import type { TensorRange } from '../../gpu/arena.ts';
import { bindGroup } from '../../gpu/pipelines.ts';
import { shader } from '../../shaders/index.ts';
import { grid1d, uniformBlock, type OpContext, type PreparedOp } from '../../gpu/op-context.ts';

export interface GatherShape {
  B: number;
  T: number;
  /** Prediction slots per sequence. */
  P: number;
  C: number;
}

function expectNumel(op: string, r: TensorRange, want: number, what: string): void {
  if (r.numel !== want) throw new Error(`${op}: ${r.name} has ${r.numel} elements, expected ${want} (${what})`);
}

async function prepare(ctx: OpContext, entry: 'gather_forward' | 'gather_backward', ranges: TensorRange[], shape: GatherShape, wg: number, label: string): Promise<PreparedOp> {
  const { B, T, P, C } = shape;
  const forward = entry === 'gather_forward';
  const kernel = await ctx.cache.kernel({
    shader: shader('gather.wgsl'),
    entry,
    // The forward never touches weights (binding 4), so its layout ends at the uniform.
    bindings: forward ? ['storage', 'storage', 'storage', 'uniform'] : ['storage', 'storage', 'storage', 'uniform', 'storage'],
    constants: { WG: wg },
  });
  const params = ctx.uniforms.alloc(uniformBlock([['u32', B], ['u32', T], ['u32', P], ['u32', C]]), `${entry}:${label}`);
  const group = bindGroup(ctx.gpu, kernel, forward ? [ranges[0]!, ranges[1]!, ranges[2]!, params] : [ranges[0]!, ranges[1]!, ranges[2]!, params, ranges[3]!]);
  const [gx, gy] = grid1d(Math.ceil((B * P * C) / wg), ctx.gpu.device.limits.maxComputeWorkgroupsPerDimension);
  return { record: (enc) => enc.dispatch(kernel, group, gx, gy, 1, `${entry} ${label}`) };
}

/** x (B,T,C), positions (B,P) u32 (index within the sequence) → rows (B·P, C) = x[b, positions[b,p]]. Overwrites rows. */
export async function prepareGatherForward(
  ctx: OpContext,
  io: { x: TensorRange; positions: TensorRange; rows: TensorRange },
  shape: GatherShape,
  opts: { wg?: number } = {},
): Promise<PreparedOp> {
  const { B, T, P, C } = shape;
  expectNumel('gather forward', io.x, B * T * C, 'x (B,T,C)');
  expectNumel('gather forward', io.positions, B * P, 'positions (B,P)');
  expectNumel('gather forward', io.rows, B * P * C, 'rows (B·P,C)');
  return prepare(ctx, 'gather_forward', [io.x, io.positions, io.rows], shape, opts.wg ?? 256, io.rows.name);
}

/**
 * dx (B,T,C) += scatter of drows (B·P,C) back to positions; slots with weight 0 are skipped (they
 * are padding slots and may repeat a position). Positions with weight > 0 are distinct within a
 * sequence, so no races.
 */
export async function prepareGatherBackward(
  ctx: OpContext,
  io: { drows: TensorRange; positions: TensorRange; weights: TensorRange; dx: TensorRange },
  shape: GatherShape,
  opts: { wg?: number } = {},
): Promise<PreparedOp> {
  const { B, T, P, C } = shape;
  expectNumel('gather backward', io.drows, B * P * C, 'drows (B·P,C)');
  expectNumel('gather backward', io.positions, B * P, 'positions (B,P)');
  expectNumel('gather backward', io.weights, B * P, 'weights (B,P)');
  expectNumel('gather backward', io.dx, B * T * C, 'dx (B,T,C)');
  return prepare(ctx, 'gather_backward', [io.drows, io.positions, io.dx, io.weights], shape, opts.wg ?? 256, io.dx.name);
}
