// Small helpers of the masking lab, bit-identical to src/masking/selection.ts:
//   attention_scores  probs (B,NH,T,T) of the last layer → scores (B,T) = mean over heads of row 0
//                     ([CLS] → t): heads summed in order, times f32(1/NH) (exact f32 ops only, so
//                     the CPU twin matches bit for bit; no atomics, deterministic).
//   mask_stats        rowStats (B,8) → stats (8): column sums (u32), one workgroup.
// Both read binding 0 and write binding 1 as u32 words (f32 via bitcast), so they share a layout.
// Not here: choosing or writing the mask (masking_lab*.wgsl).

struct StatsParams {
  B: u32,
  NH: u32,
  T: u32,
  inv_nh: f32,
}

@group(0) @binding(0) var<storage, read_write> src: array<u32>; // probs (f32 bits) | rowStats
@group(0) @binding(1) var<storage, read_write> dst: array<u32>; // scores (f32 bits) | stats
@group(0) @binding(2) var<uniform> q: StatsParams;

override WG: u32 = 64;

@compute @workgroup_size(WG)
fn attention_scores(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let idx = gid.x + gid.y * groups.x * WG;
  if (idx >= q.B * q.T) {
    return;
  }
  let b = idx / q.T;
  let t = idx % q.T;
  var s = 0.0;
  for (var h = 0u; h < q.NH; h++) {
    s += bitcast<f32>(src[(b * q.NH + h) * q.T * q.T + t]);
  }
  dst[idx] = bitcast<u32>(s * q.inv_nh);
}

@compute @workgroup_size(WG)
fn mask_stats(@builtin(local_invocation_index) lid: u32) {
  if (lid >= 8u) {
    return;
  }
  var s = 0u;
  for (var b = 0u; b < q.B; b++) {
    s += src[b * 8u + lid];
  }
  dst[lid] = s;
}
