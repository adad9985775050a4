// Row-wise LayerNorm over C (PyTorch semantics: biased variance, rstd = 1/sqrt(var + eps)).
//   layernorm_forward:          inp (R,C), weight (C), bias (C) → out (R,C), mean (R), rstd (R)
//   layernorm_forward_residual: same, but first inp = ra + rb (ra, rb (R,C)) is computed and stored
//   layernorm_backward:         dout (R,C) → dinp (R,C) +=, and per-block column partials (NB,C)
//   layernorm_backward_params:  partials (NB,C) → dweight (C) +=, dbias (C) += (fixed block order)
// Statistics are two-pass in f32 (mean, then Σ(x − mean)²), each a fixed-shape tree over WG
// threads, so results are bit-reproducible. Not here: pre-LN variants, fp16, subgroup reductions
// (their order depends on the device's subgroup size).

//!include layernorm_io.wgsl

// layernorm_backward: per-block column partials of dweight and dbias.
@group(0) @binding(6) var<storage, read_write> dweight_part: array<f32>;
@group(0) @binding(7) var<storage, read_write> dbias_part: array<f32>;
// layernorm_backward_params: partials → parameter grads.
@group(0) @binding(0) var<storage, read_write> f_dweight_part: array<f32>;
@group(0) @binding(1) var<storage, read_write> f_dbias_part: array<f32>;
@group(0) @binding(2) var<storage, read_write> dweight: array<f32>;
@group(0) @binding(3) var<storage, read_write> dbias: array<f32>;
@group(0) @binding(4) var<uniform> fp: Params;

override WG: u32 = 128; // threads per row; a power of two
override MAXC: u32 = 1024; // ≥ C: per-column accumulators of the backward live in workgroup memory

var<workgroup> col_dw: array<f32, MAXC>;
var<workgroup> col_db: array<f32, MAXC>;

//!include tree_sum.wgsl

fn flat_group(wid: vec3<u32>, groups: vec3<u32>) -> u32 {
  return wid.x + wid.y * groups.x;
}

// Normalizes one row of inp. Thread lid only ever touches columns lid, lid + WG, …, so in the
// residual entry it reads back exactly the inp values it stored itself: no barrier needed.
fn forward_row(row: u32, lid: u32) {
  let C = p.C;
  let base = row * C;
  var s = 0.0;
  for (var c = lid; c < C; c += WG) {
    s += inp[base + c];
  }
  let m = tree_sum2(lid, vec2(s, 0.0)).x / f32(C);
  var v = 0.0;
  for (var c = lid; c < C; c += WG) {
    let d = inp[base + c] - m;
    v += d * d;
  }
  let rs = 1.0 / sqrt(tree_sum2(lid, vec2(v, 0.0)).x / f32(C) + p.eps);
  for (var c = lid; c < C; c += WG) {
    out[base + c] = (inp[base + c] - m) * rs * weight[c] + bias[c];
  }
  if (lid == 0u) {
    mean[row] = m;
    rstd[row] = rs;
  }
}

// One workgroup per row.
@compute @workgroup_size(WG)
fn layernorm_forward(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let row = flat_group(wid, groups);
  if (row >= p.R) {
    return;
  }
  forward_row(row, lid);
}

// Post-LN residual: inp = ra + rb is the block's residual stream, kept for the backward.
@compute @workgroup_size(WG)
fn layernorm_forward_residual(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let row = flat_group(wid, groups);
  if (row >= p.R) {
    return;
  }
  for (var c = lid; c < p.C; c += WG) {
    inp[row * p.C + c] = ra[row * p.C + c] + rb[row * p.C + c];
  }
  forward_row(row, lid);
}

// Differentiates  out = (inp − mean)·rstd·weight + bias  (layernorm_forward).
// With x̂ = (inp − mean)·rstd and g = dout·weight: dinp += rstd·(g − mean_C(g) − x̂·mean_C(g·x̂)).
// Workgroup k walks rows [k·rows_per_group, …) and leaves Σ dout·x̂ and Σ dout over its rows in
// row k of the partials; layernorm_backward_params adds the blocks in order (no float atomics).
@compute @workgroup_size(WG)
fn layernorm_backward(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let block = flat_group(wid, groups);
  let C = bp.C;
  let r0 = block * bp.rows_per_group;
  if (r0 >= bp.R) {
    return;
  }
  let r1 = min(r0 + bp.rows_per_group, bp.R);
  for (var c = lid; c < C; c += WG) {
    col_dw[c] = 0.0;
    col_db[c] = 0.0;
  }
  for (var row = r0; row < r1; row++) {
    let base = row * C;
    let m = b_mean[row];
    let rs = b_rstd[row];
    var acc = vec2(0.0, 0.0); // Σ g, Σ g·x̂
    for (var c = lid; c < C; c += WG) {
      let xh = (inp[base + c] - m) * rs;
      let dy = dout[base + c];
      let g = dy * weight[c];
      acc += vec2(g, g * xh);
      // Column c belongs to this thread in every row: no race on col_dw / col_db.
      col_dw[c] += dy * xh;
      col_db[c] += dy;
    }
    let sums = tree_sum2(lid, acc) / f32(C);
    for (var c = lid; c < C; c += WG) {
      let xh = (inp[base + c] - m) * rs;
      let g = dout[base + c] * weight[c];
      dinp[base + c] += rs * (g - sums.x - xh * sums.y);
    }
  }
  for (var c = lid; c < C; c += WG) {
    dweight_part[block * C + c] = col_dw[c];
    dbias_part[block * C + c] = col_db[c];
  }
}

// Differentiates the weight and bias terms of  out = x̂·weight + bias: dweight += Σ_R dout·x̂,
// dbias += Σ_R dout, as a sum of the per-block partials in block order. One thread per column.
@compute @workgroup_size(WG)
fn layernorm_backward_params(@builtin(global_invocation_id) gid: vec3<u32>) {
  let c = gid.x;
  let C = fp.C;
  if (c >= C) {
    return;
  }
  let blocks = (fp.R + fp.rows_per_group - 1u) / fp.rows_per_group;
  var dw = 0.0;
  var db = 0.0;
  for (var k = 0u; k < blocks; k++) {
    dw += f_dweight_part[k * C + c];
    db += f_dbias_part[k * C + c];
  }
  dweight[c] += dw;
  dbias[c] += db;
}
