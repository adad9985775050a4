// Segment mean pooling for the linear probes (issue [H]): the feature of a word (or a row) is the
// mean of its tokens' hidden states, with a constant 1 appended as the classifier's bias input.
//   pool_mean: x (R·T, C) hidden states of R rows, segments (S,2) u32 [first token, length] in
//              flat (row·T + t) indices of x → out (S, D): out[k, c] = mean_j x[first_k + j, c]
//              for c < C, and out[k, c] = 1 for C ≤ c < D.
// One dispatch pools segments [first, first + count) of the list into the same rows of out, so
// the probe can run the encoder batch by batch and pool each batch's segments as it goes.
// One thread per output element; a segment of length 0 gives 0 (never produced by the probes).
// Not here: choosing the segments (src/data/probe-tasks.ts) or any learning.

struct Params {
  C: u32,
  D: u32,
  first: u32,
  count: u32,
}

@group(0) @binding(0) var<storage, read_write> x: array<f32>;           // (R·T, C)
@group(0) @binding(1) var<storage, read_write> segments: array<u32>;    // (S, 2)
@group(0) @binding(2) var<storage, read_write> out: array<f32>;         // (S, D)
@group(0) @binding(3) var<uniform> p: Params;

override WG: u32 = 64;

@compute @workgroup_size(WG)
fn pool_mean(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = gid.x + gid.y * groups.x * WG;
  if (i >= p.count * p.D) {
    return;
  }
  let k = p.first + i / p.D;
  let c = i % p.D;
  if (c >= p.C) {
    out[k * p.D + c] = 1.0;
    return;
  }
  let start = segments[2u * k];
  let len = segments[2u * k + 1u];
  var sum = 0.0;
  for (var j = 0u; j < len; j++) {
    sum += x[(start + j) * p.C + c];
  }
  out[k * p.D + c] = select(0.0, sum / f32(len), len > 0u);
}
