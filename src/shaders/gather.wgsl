// Gather of the masked rows, so the MLM head (dense → GELU → LN → decoder over V) runs on the
// B·P prediction slots only instead of all B·T positions (V is the costliest matmul).
//   gather_forward:  x (B,T,C), positions (B,P) u32 → rows (B·P,C) = x[b, positions[b,p], :]
//   gather_backward: drows (B·P,C), positions, weights (B,P) → dx (B,T,C) += scatter(drows)
// One thread per output element; the flat index is rebuilt from a 2-D grid (grid1d).
// Not here: choosing the positions (masking.wgsl) or any arithmetic on the rows.

struct Params {
  B: u32,
  T: u32,
  P: u32,
  C: u32,
}

@group(0) @binding(0) var<storage, read_write> src: array<f32>;       // fwd: x (B,T,C); bwd: drows (B·P,C)
@group(0) @binding(1) var<storage, read_write> positions: array<u32>; // (B,P)
@group(0) @binding(2) var<storage, read_write> dst: array<f32>;       // fwd: rows (B·P,C); bwd: dx (B,T,C)
@group(0) @binding(3) var<uniform> p: Params;
@group(0) @binding(4) var<storage, read_write> weights: array<f32>;   // (B,P); bwd only, so the fwd layout stops at 3

override WG: u32 = 256;

@compute @workgroup_size(WG)
fn gather_forward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = gid.x + gid.y * groups.x * WG;
  if (i >= p.B * p.P * p.C) {
    return;
  }
  let slot = i / p.C; // b·P + p
  let c = i % p.C;
  let b = slot / p.P;
  let t = positions[slot];
  // A position outside the sequence is a bug upstream; write 0 rather than read a neighbour's row.
  var v = 0.0;
  if (t < p.T) {
    v = src[(b * p.T + t) * p.C + c];
  }
  dst[i] = v;
}

// Differentiates  rows[b·P+p, c] = x[b, positions[b,p], c]  →  dx[b, positions[b,p], c] += drows[b·P+p, c].
// Slots with weight 0 are padding (position 0, possibly repeated) and are skipped; real slots of
// one sequence have distinct positions, so no two threads add into the same element (no atomics).
@compute @workgroup_size(WG)
fn gather_backward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = gid.x + gid.y * groups.x * WG;
  if (i >= p.B * p.P * p.C) {
    return;
  }
  let slot = i / p.C;
  let t = positions[slot];
  if (weights[slot] == 0.0 || t >= p.T) {
    return;
  }
  let c = i % p.C;
  let b = slot / p.P;
  let j = (b * p.T + t) * p.C + c;
  dst[j] = dst[j] + src[i];
}
