// Float64 reference for shaders/patchify.wgsl: images (B,H,W,Cimg) ↔ patches (B,L,PD), the layout
// of facebookresearch/mae models_mae.py::patchify ('nchpwq->nhwpqc'): patches row-major over the
// gh×gw grid, and inside a patch p rows, then p columns, then Cimg channels.
// Not here: a backward (both maps are permutations; the pixels they move are data).

import type { PatchifyShape } from '../model/ops/patchify.ts';

/** Worked out here again rather than imported, so the reference does not share the launcher's arithmetic. */
function patchGrid(s: PatchifyShape): { gw: number; L: number; PD: number } {
  const gw = s.W / s.p;
  return { gw, L: (s.H / s.p) * gw, PD: s.p * s.p * s.Cimg };
}

/** Index in images (B,H,W,Cimg) of element d of patch l of image b. */
function pixelIndex(s: PatchifyShape, b: number, l: number, d: number): number {
  const { gw } = patchGrid(s);
  const { H, W, Cimg, p } = s;
  const y = Math.floor(l / gw) * p + Math.floor(d / (p * Cimg));
  const x = (l % gw) * p + (Math.floor(d / Cimg) % p);
  return ((b * H + y) * W + x) * Cimg + (d % Cimg);
}

/** images (B,H,W,Cimg) → patches (B,L,PD). */
export function patchify(images: ArrayLike<number>, s: PatchifyShape): Float64Array {
  const { L, PD } = patchGrid(s);
  const out = new Float64Array(s.B * L * PD);
  for (let b = 0; b < s.B; b++) for (let l = 0; l < L; l++) for (let d = 0; d < PD; d++) out[(b * L + l) * PD + d] = images[pixelIndex(s, b, l, d)]!;
  return out;
}

/** patches (B,L,PD) → images (B,H,W,Cimg): the inverse of patchify. */
export function unpatchify(patches: ArrayLike<number>, s: PatchifyShape): Float64Array {
  const { L, PD } = patchGrid(s);
  const out = new Float64Array(s.B * s.H * s.W * s.Cimg);
  for (let b = 0; b < s.B; b++) for (let l = 0; l < L; l++) for (let d = 0; d < PD; d++) out[pixelIndex(s, b, l, d)] = patches[(b * L + l) * PD + d]!;
  return out;
}
