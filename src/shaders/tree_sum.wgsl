// Included (//!include tree_sum.wgsl): Σ over the workgroup of each thread's v, as a tree of a
// fixed shape, so the sum never depends on scheduling (the GPU losses are reproducible bit for
// bit). Every thread gets the result. The includer declares `override WG` (a power of two), or
// includes a file that does (argmax_tree.wgsl). One workgroup array per type: an entry point only
// allocates the arrays of the functions it calls. Call from uniform control flow (barriers).
// The //!host line is what an includer provides; the shaders test compiles this file alone with it.
//!host override WG: u32 = 64;

var<workgroup> tree_f32: array<f32, WG>;
var<workgroup> tree_vec2: array<vec2<f32>, WG>;
var<workgroup> tree_vec4: array<vec4<f32>, WG>;

fn tree_sum(lid: u32, v: f32) -> f32 {
  workgroupBarrier(); // the readers of the previous sum are done with the array
  tree_f32[lid] = v;
  workgroupBarrier();
  for (var half = WG / 2u; half > 0u; half /= 2u) {
    if (lid < half) {
      tree_f32[lid] += tree_f32[lid + half];
    }
    workgroupBarrier();
  }
  return tree_f32[0];
}

fn tree_sum2(lid: u32, v: vec2<f32>) -> vec2<f32> {
  workgroupBarrier();
  tree_vec2[lid] = v;
  workgroupBarrier();
  for (var half = WG / 2u; half > 0u; half /= 2u) {
    if (lid < half) {
      tree_vec2[lid] += tree_vec2[lid + half];
    }
    workgroupBarrier();
  }
  return tree_vec2[0];
}

fn tree_sum4(lid: u32, v: vec4<f32>) -> vec4<f32> {
  workgroupBarrier();
  tree_vec4[lid] = v;
  workgroupBarrier();
  for (var half = WG / 2u; half > 0u; half /= 2u) {
    if (lid < half) {
      tree_vec4[lid] += tree_vec4[lid + half];
    }
    workgroupBarrier();
  }
  return tree_vec4[0];
}
