// BERT input embeddings: out[b,t] = wte[ids[b,t]] + wpe[t] + wtt[0] (token type 0 everywhere).
//   emb_forward:  ids (B,T) u32, wte (V,C), wpe (Tmax,C), wtt (2,C) → out (B,T,C)
//   backward, deterministic (no float atomics, no order that depends on scheduling):
//   emb_sort_local / emb_sort_global: bitonic sort of keys id·N + n (n = b·T + t, N = B·T), so
//     each token id becomes one run of positions in increasing order. Keys are unique, so the
//     sorted array, and every sum below, is the same on every run.
//   emb_pieces: each run is cut into pieces at multiples of PIECE sorted slots; one thread per
//     (piece, channel) adds its ≤ PIECE dout rows in order → partial (N,C) at the piece's start.
//   emb_dwte:     one thread per (run, channel) adds its pieces in order → dwte[id] +=.
//   emb_dpos:     dpos[t] = Σ_b dout[b,t] (b in order) → dwpe[t] +=;  emb_dtype: dwtt[0] += Σ_t dpos[t].
// Ids ≥ V contribute nothing (forward: no wte row; backward: no dwte row). Not here: token
// types other than 0 (BERT pretraining on single segments never uses them).

struct Params {
  B: u32,
  T: u32,
  C: u32,
  V: u32,
  N: u32, // B·T
  M: u32, // sort length: the next power of two ≥ N (the tail holds 0xffffffff, sorting last)
  k: u32, // bitonic block size of this sort step
  j: u32, // bitonic compare distance of this (global) sort step
  init: u32, // emb_sort_local: 1 = build keys from ids and sort each chunk; 0 = finish stage k
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> ids: array<u32>;
// emb_forward (1–5).
@group(0) @binding(2) var<storage, read_write> wte: array<f32>;
@group(0) @binding(3) var<storage, read_write> wpe: array<f32>;
@group(0) @binding(4) var<storage, read_write> wtt: array<f32>;
@group(0) @binding(5) var<storage, read_write> out: array<f32>;
// Backward kernels share one layout (1–8); each uses a subset. Entry points that never meet may
// share binding numbers, so these alias the forward's.
@group(0) @binding(2) var<storage, read_write> keys: array<u32>;
@group(0) @binding(3) var<storage, read_write> dout: array<f32>;
@group(0) @binding(4) var<storage, read_write> partial: array<f32>;
@group(0) @binding(5) var<storage, read_write> dpos: array<f32>;
@group(0) @binding(6) var<storage, read_write> dwte: array<f32>;
@group(0) @binding(7) var<storage, read_write> dwpe: array<f32>;
@group(0) @binding(8) var<storage, read_write> dwtt: array<f32>;

override WG: u32 = 256;
override SORT_CHUNK: u32 = 2048; // keys one workgroup sorts in workgroup memory (a power of two)
override PIECE: u32 = 32; // longest serial sum of emb_pieces (caps the cost of a [PAD] run)

var<workgroup> sk: array<u32, SORT_CHUNK>;

fn flat(gid: vec3<u32>, groups: vec3<u32>) -> u32 {
  return gid.x + gid.y * groups.x * WG;
}

// One thread per (n, c) of out.
@compute @workgroup_size(WG)
fn emb_forward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let e = flat(gid, groups);
  if (e >= p.N * p.C) {
    return;
  }
  let n = e / p.C;
  let c = e % p.C;
  let id = ids[n];
  var tok = 0.0;
  if (id < p.V) {
    tok = wte[id * p.C + c];
  }
  out[e] = tok + wpe[(n % p.T) * p.C + c] + wtt[c];
}

/** Compare-exchange of slots i and i + j for bitonic block size k: ascending where (i & k) == 0. */
fn order(a: u32, b: u32, i: u32, k: u32) -> bool {
  return (a > b) == ((i & k) == 0u);
}

// Sorts each chunk of n = min(M, SORT_CHUNK) keys in workgroup memory: with init, the whole
// bitonic network up to block size n (keys built from ids); without, the steps j < n of stage k
// (the steps j ≥ n ran in emb_sort_global).
@compute @workgroup_size(WG)
fn emb_sort_local(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3<u32>) {
  let n = min(p.M, SORT_CHUNK);
  let base = wid.x * n;
  for (var e = lid; e < n; e += WG) {
    let g = base + e;
    var key = 0xffffffffu;
    if (p.init == 0u) {
      key = keys[g];
    } else if (g < p.N) {
      key = ids[g] * p.N + g;
    }
    sk[e] = key;
  }
  workgroupBarrier();
  let k_end = select(p.k, n, p.init != 0u);
  for (var k = select(p.k, 2u, p.init != 0u); k <= k_end; k *= 2u) {
    for (var j = min(k, n) / 2u; j > 0u; j /= 2u) {
      for (var q = lid; q < n / 2u; q += WG) {
        let i = 2u * j * (q / j) + q % j;
        let a = sk[i];
        let b = sk[i + j];
        if (order(a, b, base + i, k)) {
          sk[i] = b;
          sk[i + j] = a;
        }
      }
      workgroupBarrier();
    }
  }
  for (var e = lid; e < n; e += WG) {
    keys[base + e] = sk[e];
  }
}

// One bitonic step (k, j) with j ≥ SORT_CHUNK over the whole array: one thread per pair.
@compute @workgroup_size(WG)
fn emb_sort_global(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let q = flat(gid, groups);
  if (q >= p.M / 2u) {
    return;
  }
  let i = 2u * p.j * (q / p.j) + q % p.j;
  let a = keys[i];
  let b = keys[i + p.j];
  if (order(a, b, i, p.k)) {
    keys[i] = b;
    keys[i + p.j] = a;
  }
}

// Differentiates  out[n] = wte[ids[n]] + …  w.r.t. wte, part 1: thread (s, c) with s the start of a
// piece (a run's first slot, or a multiple of PIECE inside a run) sums its piece's dout rows.
@compute @workgroup_size(WG)
fn emb_pieces(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let e = flat(gid, groups);
  if (e >= p.N * p.C) {
    return;
  }
  let s = e / p.C;
  let c = e % p.C;
  let id = keys[s] / p.N;
  if (s % PIECE != 0u && keys[s - 1u] / p.N == id) {
    return;
  }
  var acc = 0.0;
  var r = s;
  loop {
    acc += dout[(keys[r] % p.N) * p.C + c];
    r++;
    if (r >= p.N || r % PIECE == 0u || keys[r] / p.N != id) {
      break;
    }
  }
  partial[s * p.C + c] = acc;
}

// Part 2: thread (s, c) with s the start of a run adds the run's pieces in order: dwte[id] +=.
@compute @workgroup_size(WG)
fn emb_dwte(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let e = flat(gid, groups);
  if (e >= p.N * p.C) {
    return;
  }
  let s = e / p.C;
  let c = e % p.C;
  let id = keys[s] / p.N;
  if (s > 0u && keys[s - 1u] / p.N == id) {
    return;
  }
  var acc = 0.0;
  var r = s;
  loop {
    acc += partial[r * p.C + c];
    r = (r / PIECE + 1u) * PIECE;
    if (r >= p.N || keys[r] / p.N != id) {
      break;
    }
  }
  if (id < p.V) {
    dwte[id * p.C + c] += acc;
  }
}

// Differentiates  out[b,t] = … + wpe[t] + …: dwpe[t] += Σ_b dout[b,t]; one thread per (t, c).
@compute @workgroup_size(WG)
fn emb_dpos(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let e = flat(gid, groups);
  if (e >= p.T * p.C) {
    return;
  }
  var acc = 0.0;
  for (var b = 0u; b < p.B; b++) {
    acc += dout[b * p.T * p.C + e];
  }
  dpos[e] = acc;
  dwpe[e] += acc;
}

// Differentiates  out[b,t] = … + wtt[0]: dwtt[0] += Σ_t dpos[t] (t in order); one thread per c.
@compute @workgroup_size(WG)
fn emb_dtype(@builtin(global_invocation_id) gid: vec3<u32>) {
  let c = gid.x;
  if (c >= p.C) {
    return;
  }
  var acc = 0.0;
  for (var t = 0u; t < p.T; t++) {
    acc += dpos[t * p.C + c];
  }
  dwtt[c] += acc;
}
