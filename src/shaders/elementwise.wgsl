// Elementwise ops on flat f32 arrays.
// axpby: x (N), y (N) → out (N) = alpha·x + beta·y. out may alias neither input's range.
// The grid is 2-D so N may exceed 65535 workgroups: i = gid.x + gid.y · (groups.x · WG).

struct Params {
  n: u32,
  alpha: f32,
  beta: f32,
  _pad: u32,
}

@group(0) @binding(0) var<storage, read_write> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> y: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;

override WG: u32 = 256;

@compute @workgroup_size(WG)
fn axpby(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = gid.x + gid.y * groups.x * WG;
  if (i >= p.n) {
    return;
  }
  out[i] = p.alpha * x[i] + p.beta * y[i];
}
