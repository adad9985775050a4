// Launchers for the optimizer step: global grad-norm (shaders/gradnorm.wgsl, two deterministic
// passes; or gradnorm_subgroup.wgsl where the device has subgroups and the tuner chose it, key
// "gradnorm N"; gradnorm-tune.ts) and fused AdamW (shaders/adamw.wgsl, one dispatch over the whole
// params/grads/m/v pools).
// Not here: zeroing grads (arena.clearPool), the learning-rate schedule (src/train/schedule.ts).
import type { DType, TensorRange } from '../../gpu/arena.ts';
import { bindGroup } from '../../gpu/pipelines.ts';
import { shader } from '../../shaders/index.ts';
import { chooseVariant, grid1d, subgroupWorkgroup, uniformBlock, type OpContext, type PreparedOp } from '../../gpu/op-context.ts';

const WG = 256;
/** Upper bound on first-pass workgroups: enough that each thread adds only a short serial run. */
const MAX_PARTIALS = 1024;

function expectNumel(op: string, r: TensorRange, want: number, what: string): void {
  if (r.numel !== want) throw new Error(`${op}: ${r.name} has ${r.numel} elements, expected ${want} (${what})`);
}

export const GRADNORM_VARIANTS = ['tree', 'subgroup'] as const;
export type GradNormVariant = (typeof GRADNORM_VARIANTS)[number];
/** The shader file of each variant. */
export const GRADNORM_SHADERS: Record<GradNormVariant, string> = { tree: 'gradnorm.wgsl', subgroup: 'gradnorm_subgroup.wgsl' };
/** What the tuner keys the norm by. */
export const gradNormKey = (shape: { N: number }): string => `gradnorm ${shape.N}`;
export function parseGradNormKey(key: string): { N: number } | null {
  const m = /^gradnorm (\d+)$/.exec(key);
  return m ? { N: Number(m[1]) } : null;
}
/** The variants this device can run. */
export const gradNormVariantsOn = (ctx: OpContext): GradNormVariant[] => GRADNORM_VARIANTS.filter((v) => v !== 'subgroup' || ctx.gpu.subgroups !== null);

/** Scratch for prepareGradNorm: one partial sum of squares per first-pass workgroup. */
export function gradNormScratch(shape: { N: number }): { name: string; shape: number[]; dtype: DType }[] {
  return [{ name: 'gradnorm.partials', shape: [Math.max(1, Math.min(MAX_PARTIALS, Math.ceil(shape.N / WG)))], dtype: 'f32' }];
}

/**
 * grads (N) → gradnorm (4) f32 = [ ‖g‖₂, clipScale = min(1, maxNorm/(‖g‖+1e-6)), 0, 0 ];
 * maxNorm ≤ 0 means no clipping (scale 1). Deterministic two-pass sum of squares: N → G partials
 * (G = partials.numel workgroups, see gradNormScratch), then G → 1 in one workgroup.
 */
export async function prepareGradNorm(
  ctx: OpContext,
  io: { grads: TensorRange; partials: TensorRange; gradnorm: TensorRange },
  shape: { N: number },
  opts: { maxNorm: number; variant?: GradNormVariant },
): Promise<PreparedOp & { variant: GradNormVariant }> {
  expectNumel('gradnorm', io.grads, shape.N, 'grads (N)');
  expectNumel('gradnorm', io.gradnorm, 4, 'gradnorm (4)');
  const g = io.partials.numel;
  if (g > ctx.gpu.device.limits.maxComputeWorkgroupsPerDimension) throw new Error(`gradnorm: ${g} partials exceed the workgroup limit`);
  if (!Number.isFinite(opts.maxNorm)) throw new Error(`gradnorm: maxNorm must be a finite number (≤ 0 disables clipping), got ${opts.maxNorm}`);
  const key = gradNormKey(shape);
  const variant = chooseVariant(ctx, key, GRADNORM_VARIANTS, opts.variant, 'tree');
  const sub = variant === 'subgroup';
  const cache = ctx.cache;
  // Any workgroup size works with any partial count (grid-stride loops); a CPU adapter prefers
  // short barrier trees.
  const wg = sub ? subgroupWorkgroup(ctx, key) : ctx.gpu.profile === 'cpu' ? 64 : WG;
  const spec = { shader: shader(GRADNORM_SHADERS[variant]), bindings: ['storage', 'storage', 'uniform'] as const, constants: { WG: wg } };
  const suffix = sub ? '_subgroup' : '';
  const first = await cache.kernel({ ...spec, entry: `sumsq${suffix}` });
  const second = await cache.kernel({ ...spec, entry: `gradnorm_finish${suffix}` });
  const u1 = ctx.uniforms.alloc(uniformBlock([['u32', shape.N], ['f32', opts.maxNorm]]), `sumsq:${io.grads.name}`);
  const u2 = ctx.uniforms.alloc(uniformBlock([['u32', g], ['f32', opts.maxNorm]]), `gradnorm:${io.gradnorm.name}`);
  const g1 = bindGroup(ctx.gpu, first, [io.grads, io.partials, u1]);
  const g2 = bindGroup(ctx.gpu, second, [io.partials, io.gradnorm, u2]);
  return {
    variant,
    record(enc) {
      enc.dispatch(first, g1, g, 1, 1, `sumsq ${io.grads.name}`);
      enc.dispatch(second, g2, 1, 1, 1, `gradnorm ${io.gradnorm.name}`);
    },
  };
}

export interface AdamWHyper {
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
}

/**
 * Fused AdamW (decoupled weight decay, PyTorch semantics): g = grad·clipScale;
 * m = β1 m + (1−β1) g; v = β2 v + (1−β2) g²;
 * p ← p − lr·( (m/(1−β1^t)) / (sqrt(v/(1−β2^t)) + eps) + wd·p ) for elements i < decayEnd, and the
 * same without the wd term for i ≥ decayEnd. t is the 1-based step; call setStep(t, lr) before
 * recording each step (one uniform write). clipScale is read from gradnorm[1] on the GPU.
 */
export async function prepareAdamW(
  ctx: OpContext,
  io: { params: TensorRange; grads: TensorRange; m: TensorRange; v: TensorRange; gradnorm: TensorRange },
  shape: { N: number; decayEnd: number },
  hp: AdamWHyper,
): Promise<PreparedOp & { setStep(t: number, lr: number): void }> {
  const { N, decayEnd } = shape;
  for (const [k, r] of [['params', io.params], ['grads', io.grads], ['m', io.m], ['v', io.v]] as const) expectNumel('adamw', r, N, `${k} (N)`);
  expectNumel('adamw', io.gradnorm, 4, 'gradnorm (4)');
  if (!Number.isInteger(decayEnd) || decayEnd < 0 || decayEnd > N) throw new Error(`adamw: decayEnd ${decayEnd} must be an integer in 0..N (${N})`);
  if (!(hp.beta1 >= 0 && hp.beta1 < 1 && hp.beta2 >= 0 && hp.beta2 < 1 && hp.eps > 0 && hp.weightDecay >= 0)) {
    throw new Error(`adamw: need 0 ≤ β1, β2 < 1, eps > 0, weightDecay ≥ 0; got ${JSON.stringify(hp)}`);
  }
  const kernel = await ctx.cache.kernel({
    shader: shader('adamw.wgsl'),
    entry: 'adamw',
    bindings: ['storage', 'storage', 'storage', 'storage', 'storage', 'uniform'],
    constants: { WG },
  });
  const block = (t: number, lr: number) =>
    uniformBlock([
      ['u32', N],
      ['u32', decayEnd],
      ['f32', hp.beta1],
      ['f32', hp.beta2],
      ['f32', hp.eps],
      ['f32', hp.weightDecay],
      ['f32', lr],
      // Bias corrections in float64 on the CPU: f32 pow(β2, t) per thread would lose digits.
      ['f32', 1 - hp.beta1 ** t],
      ['f32', 1 - hp.beta2 ** t],
      // 1 − β in float64 too: in f32, 1 − fround(0.999) is off by 1.3e-5 relative.
      ['f32', 1 - hp.beta1],
      ['f32', 1 - hp.beta2],
    ]);
  const uniforms = ctx.uniforms.alloc(block(1, 0), `adamw:${io.params.name}`);
  const group = bindGroup(ctx.gpu, kernel, [io.params, io.grads, io.m, io.v, io.gradnorm, uniforms]);
  const [gx, gy] = grid1d(Math.ceil(N / WG), ctx.gpu.device.limits.maxComputeWorkgroupsPerDimension);
  return {
    setStep(t, lr) {
      if (!Number.isInteger(t) || t < 1) throw new Error(`adamw: step t is 1-based, got ${t}`);
      if (!Number.isFinite(lr) || lr < 0) throw new Error(`adamw: learning rate must be finite and ≥ 0, got ${lr}`);
      ctx.uniforms.update(uniforms, block(t, lr));
    },
    record: (enc) => enc.dispatch(kernel, group, gx, gy, 1, `adamw ${io.params.name}`),
  };
}
