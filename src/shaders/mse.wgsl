// MAE's reconstruction loss: mean squared error on the masked patches only, optionally against
// per-patch normalised targets (norm_pix_loss), as models_mae.py::forward_loss:
//   mse_rows:     pred, target (R,PD), R = B·L → stats (R,2) = (mean, rstd) of the target patch
//                 ((0, 1) without norm), losses (R) = mean_d (pred − t')², t' = (t − mean)·rstd,
//                 rstd = 1/sqrt(var + eps), var unbiased (torch's .var())           (every patch)
//   mse_total:    mask (R), losses → count = Σ mask, loss = Σ mask·losses / count     (one workgroup)
//   mse_backward: dpred (R,PD) = mask·2(pred − t')/(PD·count)                        (overwrites)
// The mask count varies per batch (blockwise masks), so it is summed here, never assumed.
// Sums have one order (serial per patch; strided loop + fixed tree over patches): reproducible.
// Not here: patchify, the decoder's prediction head, or averaging over steps.

struct Params {
  R: u32,    // B·L patches
  PD: u32,   // values per patch; ≥ 2 with norm (unbiased variance)
  norm: u32, // 1 = norm_pix_loss
  eps: f32,  // added to the variance (MAE: 1e-6)
}

@group(0) @binding(0) var<uniform> u: Params;
@group(0) @binding(1) var<storage, read_write> pred: array<f32>;   // (R,PD)
@group(0) @binding(2) var<storage, read_write> tgt: array<f32>;    // (R,PD) target ("target" is reserved in WGSL)
@group(0) @binding(3) var<storage, read_write> mask: array<u32>;   // (R) nonzero = masked (scored)
@group(0) @binding(4) var<storage, read_write> stats: array<f32>;  // (R,2) scratch: mean, rstd
@group(0) @binding(5) var<storage, read_write> count: array<f32>;  // (1) scratch: Σ mask
// Slot 6 is the forward's per-patch losses (R) and the backward's dpred (R,PD); slot 7 is bound
// by the forward only, so the backward's layout stops at 6.
@group(0) @binding(6) var<storage, read_write> losses_or_dpred: array<f32>;
@group(0) @binding(7) var<storage, read_write> loss: array<f32>;   // (1)

override WG: u32 = 256; // a power of two (mse_total's tree)

//!include tree_sum.wgsl

// One thread per patch: PD is small (16–49 for 28×28 MNIST at p = 4 or 7), and a serial loop
// gives the mean before the variance (two passes: no E[t²] − E[t]² cancellation).
@compute @workgroup_size(WG)
fn mse_rows(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let r = gid.x + gid.y * groups.x * WG;
  if (r >= u.R) {
    return;
  }
  let base = r * u.PD;
  var mean = 0.0;
  var rstd = 1.0;
  if (u.norm != 0u) {
    var s = 0.0;
    for (var d = 0u; d < u.PD; d++) {
      s += tgt[base + d];
    }
    mean = s / f32(u.PD);
    var q = 0.0;
    for (var d = 0u; d < u.PD; d++) {
      let e = tgt[base + d] - mean;
      q += e * e;
    }
    rstd = 1.0 / sqrt(q / f32(u.PD - 1u) + u.eps);
  }
  stats[2u * r] = mean;
  stats[2u * r + 1u] = rstd;
  var acc = 0.0;
  for (var d = 0u; d < u.PD; d++) {
    let e = pred[base + d] - (tgt[base + d] - mean) * rstd;
    acc += e * e;
  }
  losses_or_dpred[r] = acc / f32(u.PD);
}

@compute @workgroup_size(WG)
fn mse_total(@builtin(local_invocation_index) lid: u32) {
  var acc = vec2<f32>(0.0); // Σ mask·loss, Σ mask (integers: exact in f32 up to 2^24)
  for (var r = lid; r < u.R; r += WG) {
    if (mask[r] != 0u) {
      acc += vec2<f32>(losses_or_dpred[r], 1.0);
    }
  }
  let s = tree_sum2(lid, acc);
  if (lid == 0u) {
    count[0] = s.y;
    loss[0] = select(0.0, s.x / s.y, s.y > 0.0);
  }
}

// Differentiates  loss = Σ_r mask_r · mean_d (pred[r,d] − t'[r,d])² / Σ_r mask_r  (t' is data)
//   →  dpred[r,d] = mask_r · 2(pred[r,d] − t'[r,d]) / (PD · count). Overwrites: the loss is where
// the backward starts (as crossentropy and bce write their dlogits). After mse_rows and mse_total.
@compute @workgroup_size(WG)
fn mse_backward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = gid.x + gid.y * groups.x * WG;
  if (i >= u.R * u.PD) {
    return;
  }
  let r = i / u.PD;
  let n = count[0];
  var g = 0.0;
  if (mask[r] != 0u && n > 0.0) {
    let t = (tgt[i] - stats[2u * r]) * stats[2u * r + 1u];
    g = 2.0 * (pred[i] - t) / (f32(u.PD) * n);
  }
  losses_or_dpred[i] = g;
}
