enable subgroups;
// gradnorm.wgsl's two passes (the same outputs) with the workgroup sums done by subgroupAdd and
// one exchange of the subgroups' sums through workgroup memory: two barriers instead of a tree's
// log2(WG) (issue [M]; for adapters with the `subgroups` feature, chosen by the tuner). The sum's
// order depends on the subgroup size: reproducible per device, not bit-equal to gradnorm.wgsl.
// Assumes a subgroup is a run of consecutive local_invocation_index values (what every
// implementation does for a 1-D workgroup; WGSL does not promise it): where it is not, the
// result is wrong and the tuner's check rejects this variant.

//!include gradnorm_io.wgsl

override WG: u32 = 64; // a multiple of the subgroup size

var<workgroup> sg_sums: array<f32, WG>; // one per subgroup (at most WG / 4 used)

// Σ over the workgroup of each thread's v; every thread gets it. Uniform control flow only.
fn workgroup_sum(lid: u32, lane: u32, sg: u32, v: f32) -> f32 {
  let s = subgroupAdd(v);
  if (lane == 0u) {
    sg_sums[lid / sg] = s;
  }
  workgroupBarrier();
  var total = 0.0;
  for (var k = 0u; k < WG / sg; k++) {
    total += sg_sums[k];
  }
  return total;
}

@compute @workgroup_size(WG)
fn sumsq_subgroup(
  @builtin(local_invocation_index) lid: u32,
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) groups: vec3<u32>,
  @builtin(subgroup_invocation_id) lane: u32,
  @builtin(subgroup_size) sg: u32,
) {
  var acc = 0.0;
  let stride = groups.x * WG;
  for (var i = wid.x * WG + lid; i < p.n; i += stride) {
    let g = inp[i];
    acc += g * g;
  }
  let s = workgroup_sum(lid, lane, sg, acc);
  if (lid == 0u) {
    out[wid.x] = s;
  }
}

@compute @workgroup_size(WG)
fn gradnorm_finish_subgroup(
  @builtin(local_invocation_index) lid: u32,
  @builtin(subgroup_invocation_id) lane: u32,
  @builtin(subgroup_size) sg: u32,
) {
  var acc = 0.0;
  for (var i = lid; i < p.n; i += WG) {
    acc += inp[i];
  }
  let s = workgroup_sum(lid, lane, sg, acc);
  if (lid == 0u) {
    write_norm(s);
  }
}
