enable subgroups;
// gradnorm.wgsl's two passes (the same outputs) with the workgroup sums done by subgroupAdd and
// one exchange of the subgroups' sums through workgroup memory: two barriers instead of a tree's
// log2(WG) (issue [M]; for adapters with the `subgroups` feature, chosen by the tuner). The sum's
// order depends on the subgroup size: reproducible per device, not bit-equal to gradnorm.wgsl.
// Assumes a subgroup is a run of consecutive local_invocation_index values (what every
// implementation does for a 1-D workgroup; WGSL does not promise it): where it is not, the
// result is wrong and the tuner's check rejects this variant.

//!include gradnorm_io.wgsl
//!include subgroup_rows.wgsl

override WG: u32 = 64; // a multiple of the subgroup size

var<workgroup> sg_sums: array<f32, WG>; // one per subgroup (at most WG / 4 used)

// Σ over the workgroup of each thread's v; every thread gets it. Uniform control flow only.
fn workgroup_sum(ids: SubgroupIds, v: f32) -> f32 {
  let s = subgroupAdd(v);
  if (ids.lane == 0u) {
    sg_sums[ids.lid / ids.sg] = s;
  }
  workgroupBarrier();
  var total = 0.0;
  for (var k = 0u; k < WG / ids.sg; k++) {
    total += sg_sums[k];
  }
  return total;
}

@compute @workgroup_size(WG)
fn sumsq_subgroup(ids: SubgroupIds) {
  var acc = 0.0;
  let stride = ids.groups.x * WG;
  for (var i = ids.wid.x * WG + ids.lid; i < p.n; i += stride) {
    let g = inp[i];
    acc += g * g;
  }
  let s = workgroup_sum(ids, acc);
  if (ids.lid == 0u) {
    out[ids.wid.x] = s;
  }
}

@compute @workgroup_size(WG)
fn gradnorm_finish_subgroup(ids: SubgroupIds) {
  var acc = 0.0;
  for (var i = ids.lid; i < p.n; i += WG) {
    acc += inp[i];
  }
  let s = workgroup_sum(ids, acc);
  if (ids.lid == 0u) {
    write_norm(s);
  }
}
