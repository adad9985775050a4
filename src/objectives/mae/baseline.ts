// The "predict the mean patch" baseline a masked autoencoder's held-out MSE is judged against: for
// every hidden patch, predict the average of that patch position over the training images (the
// mean image, cut into patches) — what a model that ignores the visible patches can do at best
// with one fixed guess per position. Scored exactly like the model: mean over hidden patches of
// the per-patch mean squared error, in the same target space (pixels in [0, 1], or with
// normPixLoss each patch normalised by its own mean and unbiased variance, as MAE's loss).
// Pure CPU, float64; the patch layout is MAE's patchify (row-major patches, (row, col, channel)
// inside a patch), the same as shaders/patchify.wgsl.
// Not here: the masks (src/masking/image.ts gives the fixed eval mask) or the GPU loss.

/** Images (N,H,W,C) f32 in [0, 1] and their shape. */
export interface PixelRows {
  B: number;
  H: number;
  W: number;
  C: number;
  pixels: Float32Array;
}

/** MAE's norm_pix_loss epsilon: target = (t − mean) / sqrt(var + 1e-6). */
export const NORM_PIX_EPS = 1e-6;

/** Patch l of image b as PD = p·p·C values (MAE patchify order), in the loss's target space. */
function patchTarget(x: PixelRows, b: number, l: number, p: number, normPix: boolean, out: Float64Array): void {
  const { H, W, C } = x;
  const gw = W / p;
  const r0 = Math.floor(l / gw) * p;
  const c0 = (l % gw) * p;
  let d = 0;
  for (let i = 0; i < p; i++) for (let j = 0; j < p; j++) for (let ch = 0; ch < C; ch++) out[d++] = x.pixels[((b * H + r0 + i) * W + c0 + j) * C + ch]!;
  if (!normPix) return;
  const PD = out.length;
  let mean = 0;
  for (let k = 0; k < PD; k++) mean += out[k]!;
  mean /= PD;
  let v = 0;
  for (let k = 0; k < PD; k++) v += (out[k]! - mean) ** 2;
  const rstd = 1 / Math.sqrt(v / (PD - 1) + NORM_PIX_EPS);
  for (let k = 0; k < PD; k++) out[k] = (out[k]! - mean) * rstd;
}

function checkShape(x: PixelRows, p: number, what: string): { L: number; PD: number } {
  if (!Number.isInteger(p) || p < 1 || x.H % p || x.W % p) throw new Error(`${what}: patch size ${p} must divide the image size ${x.H}×${x.W}.`);
  return { L: (x.H / p) * (x.W / p), PD: p * p * x.C };
}

/** The mean target of every patch position over `train`: (L, PD). */
export function meanPatches(train: PixelRows, p: number, normPix: boolean): Float64Array {
  const { L, PD } = checkShape(train, p, 'meanPatches');
  if (normPix && PD < 2) throw new Error('meanPatches: normPixLoss needs at least 2 values per patch.');
  const sum = new Float64Array(L * PD);
  const t = new Float64Array(PD);
  for (let b = 0; b < train.B; b++) {
    for (let l = 0; l < L; l++) {
      patchTarget(train, b, l, p, normPix, t);
      for (let d = 0; d < PD; d++) sum[l * PD + d]! += t[d]!;
    }
  }
  for (let i = 0; i < sum.length; i++) sum[i]! /= Math.max(1, train.B);
  return sum;
}

/**
 * Held-out MSE of predicting `mean` (L, PD) for every hidden patch of `evalRows`: Σ over hidden
 * patches of mean_d (mean − target)² / number of hidden patches. mask (B,L): 1 = hidden.
 */
export function meanPatchMse(evalRows: PixelRows, p: number, mean: Float64Array, mask: Uint32Array, normPix: boolean): number {
  const { L, PD } = checkShape(evalRows, p, 'meanPatchMse');
  if (mean.length !== L * PD) throw new Error(`meanPatchMse: mean has ${mean.length} values, expected L·PD = ${L}·${PD}.`);
  if (mask.length !== evalRows.B * L) throw new Error(`meanPatchMse: mask has ${mask.length} entries, expected B·L = ${evalRows.B}·${L}.`);
  const t = new Float64Array(PD);
  let total = 0;
  let count = 0;
  for (let b = 0; b < evalRows.B; b++) {
    for (let l = 0; l < L; l++) {
      if (!mask[b * L + l]) continue;
      patchTarget(evalRows, b, l, p, normPix, t);
      let e = 0;
      for (let d = 0; d < PD; d++) e += (mean[l * PD + d]! - t[d]!) ** 2;
      total += e / PD;
      count++;
    }
  }
  return count > 0 ? total / count : 0;
}
