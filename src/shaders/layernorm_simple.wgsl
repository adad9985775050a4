// Barrier-free LayerNorm for CPU implementations of WebGPU (SwiftShader, the 'cpu' kernel
// profile): the same math as layernorm.wgsl (PyTorch semantics: biased variance,
// rstd = 1/sqrt(var + eps), two-pass mean then Σ(x − mean)²), but one thread per row walking C
// in order instead of one workgroup per row with tree reductions. Sums are blocked (blocks of 8
// terms, then the block sums): the f32 error then grows like 8 + n/8 ulps, not n, which keeps the
// forward within 1e-4 of float64 at C = 128 (a plain serial sum misses it there).
//   layernorm_forward_simple:          inp (R,C), weight (C), bias (C) → out (R,C), mean (R), rstd (R)
//   layernorm_forward_residual_simple: same, but first inp = ra + rb (ra, rb (R,C)) is stored
//   layernorm_backward_simple:         dout (R,C) → dinp (R,C) +=, one thread per row
//   layernorm_backward_params_simple:  dweight (C) +=, dbias (C) +=, one thread per column
// Why: on SwiftShader every workgroupBarrier costs a fiber switch per invocation, which dwarfs
// the arithmetic at C = 32..256. Every sum runs in a fixed order inside one thread, so results
// are bit-reproducible. Rows are strided across threads: slow on a real GPU, fine on a CPU.
// Bindings and Params come from layernorm_io.wgsl, shared with layernorm.wgsl.

//!include layernorm_io.wgsl

// Backward: the parameter gradients directly (one thread per column).
@group(0) @binding(6) var<storage, read_write> dweight: array<f32>;
@group(0) @binding(7) var<storage, read_write> dbias: array<f32>;

const WG: u32 = 64u;
const BLOCK: u32 = 8u; // terms per block of a blocked sum

/** Flat thread index over the grid1d grid (past the end when ≥ the thread count). */
fn thread_index(gid: vec3<u32>, groups: vec3<u32>) -> u32 {
  return gid.x + gid.y * groups.x * WG;
}

/** Σ_c inp (second = 0; m unused) or Σ_c (inp − m)² (second = 1) over the row at base, blocked. */
fn row_sum(second: u32, base: u32, C: u32, m: f32) -> f32 {
  var s = 0.0;
  for (var c0 = 0u; c0 < C; c0 += BLOCK) {
    var blk = 0.0;
    for (var c = c0; c < min(c0 + BLOCK, C); c++) {
      let x = inp[base + c];
      blk += select(x, (x - m) * (x - m), second == 1u);
    }
    s += blk;
  }
  return s;
}

// Normalizes row `row` of inp: out = (inp − mean)·rstd·weight + bias.
fn forward_row(row: u32) {
  let C = p.C;
  let base = row * C;
  let m = row_sum(0u, base, C, 0.0) / f32(C);
  let rs = 1.0 / sqrt(row_sum(1u, base, C, m) / f32(C) + p.eps);
  for (var c = 0u; c < C; c++) {
    out[base + c] = (inp[base + c] - m) * rs * weight[c] + bias[c];
  }
  mean[row] = m;
  rstd[row] = rs;
}

@compute @workgroup_size(WG)
fn layernorm_forward_simple(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let row = thread_index(gid, groups);
  if (row >= p.R) {
    return;
  }
  forward_row(row);
}

// Post-LN residual: inp = ra + rb is the block's residual stream, kept for the backward.
@compute @workgroup_size(WG)
fn layernorm_forward_residual_simple(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let row = thread_index(gid, groups);
  if (row >= p.R) {
    return;
  }
  for (var c = 0u; c < p.C; c++) {
    inp[row * p.C + c] = ra[row * p.C + c] + rb[row * p.C + c];
  }
  forward_row(row);
}

// Differentiates  out = (inp − mean)·rstd·weight + bias  (layernorm_forward_simple) for inp.
// With x̂ = (inp − mean)·rstd and g = dout·weight: dinp += rstd·(g − mean_C(g) − x̂·mean_C(g·x̂)).
@compute @workgroup_size(WG)
fn layernorm_backward_simple(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let row = thread_index(gid, groups);
  if (row >= bp.R) {
    return;
  }
  let C = bp.C;
  let base = row * C;
  let m = b_mean[row];
  let rs = b_rstd[row];
  var acc = vec2(0.0, 0.0); // (Σ g, Σ g·x̂), blocked like row_sum
  for (var c0 = 0u; c0 < C; c0 += BLOCK) {
    var blk = vec2(0.0, 0.0);
    for (var c = c0; c < min(c0 + BLOCK, C); c++) {
      let xh = (inp[base + c] - m) * rs;
      let g = dout[base + c] * weight[c];
      blk += vec2(g, g * xh);
    }
    acc += blk;
  }
  let sums = acc / f32(C); // (mean_C(g), mean_C(g·x̂))
  for (var c = 0u; c < C; c++) {
    let xh = (inp[base + c] - m) * rs;
    let g = dout[base + c] * weight[c];
    dinp[base + c] += rs * (g - sums.x - xh * sums.y);
  }
}

// Differentiates the weight and bias terms of  out = x̂·weight + bias:
// dweight += Σ_R dout·x̂, dbias += Σ_R dout: one thread per column, rows in a fixed order.
@compute @workgroup_size(WG)
fn layernorm_backward_params_simple(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let c = thread_index(gid, groups);
  let C = bp.C;
  if (c >= C) {
    return;
  }
  var acc = vec2(0.0, 0.0); // (Σ dout·x̂, Σ dout), blocked over rows like row_sum
  for (var r0 = 0u; r0 < bp.R; r0 += BLOCK) {
    var blk = vec2(0.0, 0.0);
    for (var row = r0; row < min(r0 + BLOCK, bp.R); row++) {
      let dy = dout[row * C + c];
      let xh = (inp[row * C + c] - b_mean[row]) * b_rstd[row];
      blk += vec2(dy * xh, dy);
    }
    acc += blk;
  }
  dweight[c] += acc.x;
  dbias[c] += acc.y;
}
