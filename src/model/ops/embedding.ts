// Launchers for shaders/embedding.wgsl: BERT input embeddings (token + position + token type 0),
// forward and a deterministic backward (sort by token id, then fixed-order sums). Not here: the
// LayerNorm that follows (layernorm op), token types other than 0, checking ids against V.
import type { DType, TensorRange } from '../../gpu/arena.ts';
import { bindGroup, type Kernel } from '../../gpu/pipelines.ts';
import { shader } from '../../shaders/index.ts';
import { grid1d, uniformBlock, type OpContext, type PreparedOp } from '../../gpu/op-context.ts';

export type EmbeddingShape = { B: number; T: number; C: number; V: number };

const WG = 256;
/** Keys one workgroup sorts in workgroup memory (8 KiB); larger sorts add global merge steps. */
const SORT_CHUNK = 2048;

function check(op: string, name: string, r: TensorRange, numel: number, dtype: DType = 'f32'): void {
  if (r.numel !== numel) throw new Error(`${op}: ${name} (${r.name}) has ${r.numel} elements, expected ${numel}`);
  if (r.dtype !== dtype) throw new Error(`${op}: ${name} (${r.name}) is ${r.dtype}, expected ${dtype}`);
}

function nextPow2(n: number): number {
  return 2 ** Math.ceil(Math.log2(Math.max(1, n)));
}

function params(shape: EmbeddingShape, step: { k?: number; j?: number; init?: number } = {}): Uint32Array {
  const N = shape.B * shape.T;
  return uniformBlock([
    ['u32', shape.B],
    ['u32', shape.T],
    ['u32', shape.C],
    ['u32', shape.V],
    ['u32', N],
    ['u32', nextPow2(N)],
    ['u32', step.k ?? 0],
    ['u32', step.j ?? 0],
    ['u32', step.init ?? 0],
  ]);
}

function kernel(ctx: OpContext, entry: string, storage: number): Promise<Kernel> {
  return ctx.cache.kernel({
    shader: shader('embedding.wgsl'),
    entry,
    bindings: ['uniform', ...Array<'storage'>(storage).fill('storage')],
    constants: { WG, ...(entry === 'emb_sort_local' ? { SORT_CHUNK } : {}) },
  });
}

/** ids (B,T) u32, wte (V,C), wpe (Tmax,C) with T ≤ Tmax, wtt (2,C) → out (B,T,C) = wte[ids] + wpe[t] + wtt[0]. */
export async function prepareEmbeddingForward(
  ctx: OpContext,
  io: { ids: TensorRange; wte: TensorRange; wpe: TensorRange; wtt: TensorRange; out: TensorRange },
  shape: EmbeddingShape,
): Promise<PreparedOp> {
  const op = 'embedding forward';
  const { B, T, C, V } = shape;
  check(op, 'ids', io.ids, B * T, 'u32');
  check(op, 'wte', io.wte, V * C);
  if (io.wpe.numel % C !== 0 || io.wpe.numel / C < T) throw new Error(`${op}: wpe (${io.wpe.name}) has ${io.wpe.numel} elements; expected (Tmax, ${C}) with Tmax ≥ T=${T}`);
  check(op, 'wtt', io.wtt, 2 * C);
  check(op, 'out', io.out, B * T * C);
  const k = await kernel(ctx, 'emb_forward', 5);
  const group = bindGroup(ctx.gpu, k, [ctx.uniforms.alloc(params(shape), `emb:${io.out.name}`), io.ids, io.wte, io.wpe, io.wtt, io.out]);
  const [gx, gy] = grid1d(Math.ceil((B * T * C) / WG), ctx.gpu.device.limits.maxComputeWorkgroupsPerDimension);
  return { record: (enc) => enc.dispatch(k, group, gx, gy, 1, `embedding ${io.out.name}`) };
}

/** Scratch of the backward: sort keys (next power of two ≥ B·T), run pieces (B·T, C), per-position sums (T, C). */
export function embeddingBackwardScratch(shape: EmbeddingShape): { name: string; shape: number[]; dtype: DType }[] {
  const N = shape.B * shape.T;
  return [
    { name: 'emb.keys', shape: [nextPow2(N)], dtype: 'u32' },
    { name: 'emb.partial', shape: [N, shape.C], dtype: 'f32' },
    { name: 'emb.dpos', shape: [shape.T, shape.C], dtype: 'f32' },
  ];
}

/**
 * Differentiates  out[b,t] = wte[ids[b,t]] + wpe[t] + wtt[0] : dout (B,T,C) → dwte (V,C) += (a
 * scatter by id), dwpe (Tmax,C) += Σ_b dout[b,t], dwtt[0] += Σ_{b,t} dout. Deterministic: ids are
 * sorted with their positions on the GPU, and every sum runs in position order.
 */
export async function prepareEmbeddingBackward(
  ctx: OpContext,
  io: { ids: TensorRange; dout: TensorRange; dwte: TensorRange; dwpe: TensorRange; dwtt: TensorRange; scratch: TensorRange[] },
  shape: EmbeddingShape,
): Promise<PreparedOp> {
  const op = 'embedding backward';
  const { B, T, C, V } = shape;
  const N = B * T;
  const M = nextPow2(N);
  check(op, 'ids', io.ids, N, 'u32');
  check(op, 'dout', io.dout, N * C);
  check(op, 'dwte', io.dwte, V * C);
  if (io.dwpe.numel % C !== 0 || io.dwpe.numel / C < T) throw new Error(`${op}: dwpe (${io.dwpe.name}) has ${io.dwpe.numel} elements; expected (Tmax, ${C}) with Tmax ≥ T=${T}`);
  check(op, 'dwtt', io.dwtt, 2 * C);
  // Keys id·N + n must stay below the padding key 0xffffffff.
  if (V * N >= 2 ** 32 - 1) throw new Error(`${op}: V·B·T = ${V * N} does not fit the u32 sort keys; use a smaller vocabulary or batch`);
  const want = embeddingBackwardScratch(shape);
  if (io.scratch.length !== want.length) throw new Error(`${op}: expects ${want.length} scratch tensors (${want.map((s) => s.name).join(', ')}), got ${io.scratch.length}`);
  want.forEach((s, i) => check(op, `scratch ${s.name}`, io.scratch[i]!, s.shape.reduce((a, b) => a * b, 1), s.dtype));
  const [keys, partial, dpos] = io.scratch as [TensorRange, TensorRange, TensorRange];
  // dwtt[0] is its first C elements; dwpe rows past T are untouched.
  const dwtt0 = { ...io.dwtt, size: C * 4, numel: C, shape: [C] };
  const ranges = [io.ids, keys, io.dout, partial, dpos, io.dwte, io.dwpe, dwtt0];
  const entries = ['emb_sort_local', 'emb_sort_global', 'emb_pieces', 'emb_dwte', 'emb_dpos', 'emb_dtype'] as const;
  const kernels = Object.fromEntries(await Promise.all(entries.map(async (e) => [e, await kernel(ctx, e, ranges.length)] as const))) as Record<(typeof entries)[number], Kernel>;
  const maxDim = ctx.gpu.device.limits.maxComputeWorkgroupsPerDimension;
  const steps: { k: Kernel; group: GPUBindGroup; x: number; y: number; label: string }[] = [];
  const add = (entry: (typeof entries)[number], threads: number, u: Uint32Array, label: string, perWorkgroup = false) => {
    const group = bindGroup(ctx.gpu, kernels[entry], [ctx.uniforms.alloc(u, `${label}:${io.dwte.name}`), ...ranges]);
    const [x, y] = perWorkgroup ? [threads, 1] : grid1d(Math.ceil(threads / WG), maxDim);
    steps.push({ k: kernels[entry], group, x, y, label: `${label} ${io.dwte.name}` });
  };
  // Bitonic sort: chunks of n keys in workgroup memory, then each larger stage k as global steps
  // for distances j ≥ n plus one local pass for the rest.
  const n = Math.min(M, SORT_CHUNK);
  add('emb_sort_local', M / n, params(shape, { init: 1 }), 'emb-sort', true);
  for (let k = 2 * n; k <= M; k *= 2) {
    for (let j = k / 2; j >= n; j /= 2) add('emb_sort_global', M / 2, params(shape, { k, j }), `emb-sort-k${k}-j${j}`);
    add('emb_sort_local', M / n, params(shape, { k }), `emb-sort-k${k}`, true);
  }
  add('emb_pieces', N * C, params(shape), 'emb-pieces');
  add('emb_dwte', N * C, params(shape), 'emb-dwte');
  add('emb_dpos', T * C, params(shape), 'emb-dpos');
  add('emb_dtype', C, params(shape), 'emb-dtype');
  return { record: (enc) => steps.forEach((s) => enc.dispatch(s.k, s.group, s.x, s.y, 1, s.label)) };
}
