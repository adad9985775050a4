// Global gradient norm for clipping, over the whole grads pool in two deterministic passes:
//   sumsq:           grads (N) → partials (G), partials[g] = Σ grads[i]² over workgroup g's grid-stride slice
//   gradnorm_finish: partials (G) → gradnorm (4) = [‖g‖₂, clipScale, 0, 0],
//                    clipScale = min(1, maxNorm / (‖g‖ + 1e-6)), or 1 when maxNorm ≤ 0 (no clipping)
// Same shape as reduce.wgsl's sum (serial slice per thread, then a fixed tree), so the result does
// not depend on scheduling. Not here: applying the scale (adamw.wgsl reads gradnorm[1]); the
// subgroup variant (gradnorm_subgroup.wgsl).

//!include gradnorm_io.wgsl

override WG: u32 = 256; // a power of two

//!include tree_sum.wgsl

@compute @workgroup_size(WG)
fn sumsq(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  var acc = 0.0;
  let stride = groups.x * WG;
  for (var i = wid.x * WG + lid; i < p.n; i += stride) {
    let g = inp[i];
    acc += g * g;
  }
  let s = tree_sum(lid, acc);
  if (lid == 0u) {
    out[wid.x] = s;
  }
}

@compute @workgroup_size(WG)
fn gradnorm_finish(@builtin(local_invocation_index) lid: u32) {
  var acc = 0.0;
  for (var i = lid; i < p.n; i += WG) {
    acc += inp[i];
  }
  let s = tree_sum(lid, acc);
  if (lid == 0u) {
    write_norm(s);
  }
}
