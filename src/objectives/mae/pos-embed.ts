// MAE's fixed 2-D sin-cos position embedding (facebookresearch/mae util/pos_embed.py,
// get_2d_sincos_pos_embed; Hugging Face ViTMAE computes the same table): a (gh·gw, D) table, one
// row per patch in patchify's row-major order, computed once on the CPU and uploaded as a
// constant (never trained, as MAE freezes it with requires_grad=False).
// Row l = (r, c) = (⌊l/gw⌋, l mod gw):
//   [ sin(c·ω_0..ω_{D/4−1}), cos(c·ω…), sin(r·ω…), cos(r·ω…) ],  ω_k = 1 / 10000^(k/(D/4)).
// The COLUMN comes first: MAE builds the grid with np.meshgrid(grid_w, grid_h) ("here w goes
// first") and names that first half emb_h. Kept as is so an exported table is MAE's.
// Computed in float64 (MAE's numpy uses float32; the difference is below f32's precision of the
// uploaded table for the small grids here). Not here: uploading, or adding it to the tokens (model.ts).

/** MAE get_1d_sincos_pos_embed_from_grid for one position: D values, [sin(pos·ω), cos(pos·ω)], D even. */
function sincos1d(D: number, pos: number, out: Float64Array, at: number): void {
  const half = D / 2;
  for (let k = 0; k < half; k++) {
    const angle = pos / 10000 ** (k / half);
    out[at + k] = Math.sin(angle);
    out[at + half + k] = Math.cos(angle);
  }
}

/**
 * The (L, D) table for a gh×gw patch grid, L = gh·gw, row-major (patch l = r·gw + c), with
 * `clsRows` leading rows of zeros (MAE's cls_token=True prepends one: [CLS] gets no position).
 * D must be a multiple of 4 (half the width per axis, each half sin and cos).
 */
export function sincosPosEmbed2d(D: number, gh: number, gw: number, clsRows = 0): Float64Array {
  if (!Number.isInteger(D) || D <= 0 || D % 4 !== 0) throw new Error(`2-D sin-cos position embedding: the width must be a positive multiple of 4 (got ${D})`);
  if (![gh, gw].every((n) => Number.isInteger(n) && n > 0)) throw new Error(`2-D sin-cos position embedding: the grid must be positive integers (got ${gh}×${gw})`);
  const out = new Float64Array((clsRows + gh * gw) * D);
  for (let r = 0; r < gh; r++) {
    for (let c = 0; c < gw; c++) {
      const at = (clsRows + r * gw + c) * D;
      sincos1d(D / 2, c, out, at);
      sincos1d(D / 2, r, out, at + D / 2);
    }
  }
  return out;
}

/** `rows` (R, D) repeated B times → (B, R, D) f32: the constant the model adds to a whole batch with one elementwise op. */
export function repeatRows(rows: Float64Array, B: number): Float32Array {
  const out = new Float32Array(B * rows.length);
  for (let b = 0; b < B; b++) out.set(rows, b * rows.length);
  return out;
}
