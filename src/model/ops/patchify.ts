// Launchers for shaders/patchify.wgsl: images (B,H,W,Cimg) ↔ patches (B,L,PD) in MAE's layout
// (patch order row-major, inside a patch row, col, channel; see the shader header).
// Not here: a backward (the images are data; inputs get no gradient), patch embedding (a matmul),
// or normalising pixels.
import type { TensorRange } from '../../gpu/arena.ts';
import { bindGroup } from '../../gpu/pipelines.ts';
import { shader } from '../../shaders/index.ts';
import { grid1d, uniformBlock, type OpContext, type PreparedOp } from '../../gpu/op-context.ts';

export interface PatchifyShape {
  B: number;
  H: number;
  W: number;
  /** Image channels (1 for MNIST). */
  Cimg: number;
  /** Patch side in pixels; must divide H and W. */
  p: number;
}

/** The grid a shape cuts into: gh×gw patches, L = gh·gw of them, each PD = p·p·Cimg values. */
export function patchGrid(s: PatchifyShape): { gh: number; gw: number; L: number; PD: number } {
  const gh = s.H / s.p;
  const gw = s.W / s.p;
  return { gh, gw, L: gh * gw, PD: s.p * s.p * s.Cimg };
}

function check(op: string, r: TensorRange, want: number, what: string): void {
  if (r.numel !== want) throw new Error(`${op}: ${r.name} has ${r.numel} elements, expected ${want} (${what})`);
  if (r.dtype !== 'f32') throw new Error(`${op}: ${r.name} must be f32 (${what}), got ${r.dtype}`);
}

async function prepare(
  ctx: OpContext,
  entry: 'patchify' | 'unpatchify',
  io: { images: TensorRange; patches: TensorRange },
  shape: PatchifyShape,
  wg: number,
): Promise<PreparedOp> {
  const { B, H, W, Cimg, p } = shape;
  if (![B, H, W, Cimg, p].every((n) => Number.isInteger(n) && n > 0)) throw new Error(`${entry}: B, H, W, Cimg, p must be positive integers, got ${JSON.stringify(shape)}`);
  if (H % p !== 0 || W % p !== 0) throw new Error(`${entry}: patch size p=${p} must divide the image height ${H} and width ${W}`);
  const { L, PD } = patchGrid(shape);
  check(entry, io.images, B * H * W * Cimg, 'images (B,H,W,Cimg)');
  check(entry, io.patches, B * L * PD, `patches (B,L,PD) = (${B},${L},${PD})`);
  const kernel = await ctx.cache.kernel({ shader: shader('patchify.wgsl'), entry, bindings: ['uniform', 'storage', 'storage'], constants: { WG: wg } });
  const params = ctx.uniforms.alloc(uniformBlock([['u32', B], ['u32', H], ['u32', W], ['u32', Cimg], ['u32', p]]), `${entry}:${io.patches.name}`);
  const group = bindGroup(ctx.gpu, kernel, [params, io.images, io.patches]);
  const [gx, gy] = grid1d(Math.ceil((B * H * W * Cimg) / wg), ctx.gpu.device.limits.maxComputeWorkgroupsPerDimension);
  const label = `${entry} ${entry === 'patchify' ? io.patches.name : io.images.name}`;
  return { record: (enc) => enc.dispatch(kernel, group, gx, gy, 1, label) };
}

/** images (B,H,W,Cimg) → patches (B,L,PD), L = (H/p)·(W/p), PD = p·p·Cimg. Overwrites patches. */
export function preparePatchify(ctx: OpContext, io: { images: TensorRange; patches: TensorRange }, shape: PatchifyShape, opts: { wg?: number } = {}): Promise<PreparedOp> {
  return prepare(ctx, 'patchify', io, shape, opts.wg ?? 256);
}

/** patches (B,L,PD) → images (B,H,W,Cimg), the inverse of preparePatchify. Overwrites images. */
export function prepareUnpatchify(ctx: OpContext, io: { patches: TensorRange; images: TensorRange }, shape: PatchifyShape, opts: { wg?: number } = {}): Promise<PreparedOp> {
  return prepare(ctx, 'unpatchify', io, shape, opts.wg ?? 256);
}
