// Sum of a flat f32 array: inp (N) → out (G), one partial sum per workgroup.
// Run it twice for a full sum: N → G partials with G workgroups, then G → 1 with one workgroup.
// Each thread first adds a grid-stride slice serially, then the workgroup adds its WG values as
// a tree in workgroup memory: error grows like (N / (G·WG) + log2 WG) roundings, not N.

struct Params {
  n: u32,
}

@group(0) @binding(0) var<storage, read_write> inp: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<uniform> p: Params;

override WG: u32 = 256; // a power of two

//!include tree_sum.wgsl

@compute @workgroup_size(WG)
fn sum(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  var acc = 0.0;
  let stride = groups.x * WG;
  for (var i = wid.x * WG + lid; i < p.n; i += stride) {
    acc += inp[i];
  }
  let s = tree_sum(lid, acc);
  if (lid == 0u) {
    out[wid.x] = s;
  }
}
