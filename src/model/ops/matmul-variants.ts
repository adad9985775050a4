// The register-tiled matmul kernels the tuner chooses from (issue [M]), as data: each is
// shaders/matmul.wgsl with a workgroup tile (BM×BN, stepping BK along the summed dimension) and a
// per-thread register block (TM×TN). The naive one-output-per-thread kernel is not in this list:
// it stays the reference every candidate is checked against before it may be used.
// Why these: the two defaults we had, larger per-thread blocks (more products per shared-memory
// load, what the fast published WebGPU matmuls use), a wide tile for the long decoder/FFN rows,
// and small tiles for short products (probe heads, bert-micro), where big tiles leave most
// threads idle. Which is fastest depends on the adapter; nothing here is chosen from SwiftShader.
import type { KernelProfile } from '../../gpu/device.ts';
import type { MatmulTile } from './matmul.ts';

export interface MatmulVariant {
  id: string;
  tile: Readonly<MatmulTile>;
  why: string;
}

export const MATMUL_VARIANTS: readonly MatmulVariant[] = [
  { id: 't64-b4', tile: { BM: 64, BN: 64, BK: 16, TM: 4, TN: 4 }, why: 'the GPU default (not chosen from SwiftShader timings): 256 threads of 4×4, 8.3 KB shared' },
  {
    id: 't32-b4',
    tile: { BM: 32, BN: 32, BK: 8, TM: 4, TN: 4 },
    why: 'the CPU-adapter default: 64 threads of 4×4; fewer invocations, so fewer fiber switches per barrier (2–3× faster on SwiftShader at the CI model\'s shapes)',
  },
  { id: 't16-b4', tile: { BM: 16, BN: 16, BK: 16, TM: 4, TN: 4 }, why: '16 threads: short products (probe heads, tiny models)' },
  { id: 't64-b8', tile: { BM: 64, BN: 64, BK: 8, TM: 8, TN: 8 }, why: '64 threads of 8×8: 4× the products per shared load' },
  { id: 't128-b8', tile: { BM: 128, BN: 128, BK: 8, TM: 8, TN: 8 }, why: '256 threads of 8×8: big products on big GPUs' },
  { id: 't64x128-b4x8', tile: { BM: 64, BN: 128, BK: 8, TM: 4, TN: 8 }, why: '256 threads of 4×8: wide outputs (decoder, FFN up)' },
  { id: 't32x64-b4x8', tile: { BM: 32, BN: 64, BK: 16, TM: 4, TN: 8 }, why: '64 threads of 4×8' },
];

/** The variant each kernel profile uses where nothing is tuned (gpu.profile: 'cpu' is SwiftShader). */
export const DEFAULT_MATMUL_VARIANT: Readonly<Record<KernelProfile, string>> = { gpu: 't64-b4', cpu: 't32-b4' };

export function matmulVariant(id: string): MatmulVariant {
  const v = MATMUL_VARIANTS.find((x) => x.id === id);
  if (!v) throw new Error(`no matmul variant "${id}" (have: ${MATMUL_VARIANTS.map((x) => x.id).join(', ')})`);
  return v;
}
