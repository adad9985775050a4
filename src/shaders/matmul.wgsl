// The matmul family of the linear layers: C (R,Q) = op(A) (R,P) · op(B) (P,Q), then an epilogue.
// One generic product covers the three products of a linear layer (launcher: model/ops/matmul.ts):
//   forward  out (M,N)     = inp (M,K) · weightᵀ          A = inp,    B = weight (N,K), TRANS_B
//   dinp     dinp (M,K)   += dpre (M,N) · weight (N,K)    A = dpre,   B = weight
//   dweight  dweight (N,K)+= dpreᵀ · inp (M,K)            A = dpre (M,N), TRANS_A;  B = inp
// Entry points differ only in their epilogue (bias, fused GELU, dbias row sums), because a
// binding an entry point names must be bound, so optional tensors need their own entry points.
// mm* are register-tiled; naive_mm* compute one output per thread and are the reference the
// tests hold the tiled kernels to. No float atomics: every sum has a fixed order.

//!include gelu_math.wgsl

struct Params {
  rows: u32, // R: rows of C and op(A)
  cols: u32, // Q: columns of C and op(B)
  inner: u32, // P: the summed dimension
}

override TRANS_A: bool = false; // false: A stored (R,P); true: A stored (P,R)
override TRANS_B: bool = false; // false: B stored (P,Q); true: B stored (Q,P)
override ACCUMULATE: bool = false; // mm, mm_rowsum: C += op(A)·op(B) (backward) instead of C =

// Workgroup tile BM×BN, stepping BK along P. Each thread owns a TM×TN register block (TN a
// multiple of 4: rows of vec4 accumulators). TM and TN are consts, not overrides, because
// function-scope arrays need constant sizes; the launcher sets them with specialize()
// (the blocks in use: model/ops/matmul-variants.ts).
override BM: u32 = 64;
override BN: u32 = 64;
override BK: u32 = 16;
const TM: u32 = 4u;
const TN: u32 = 4u;
const TN4: u32 = TN / 4u;
override WGX: u32 = BN / TN;
override WGY: u32 = BM / TM;
// Row pitch of the shared tiles, padded by one word: the tile loads of a non-transposed A and a
// transposed B write down a column, which at pitch 64 would hit one memory bank 16 times.
override A_PITCH: u32 = BM + 1u;
override B_PITCH: u32 = BN + 1u;
override A_LEN: u32 = BK * A_PITCH;
override B_LEN: u32 = BK * B_PITCH;

@group(0) @binding(0) var<storage, read_write> a: array<f32>;
@group(0) @binding(1) var<storage, read_write> b: array<f32>;
@group(0) @binding(2) var<storage, read_write> c: array<f32>; // (R,Q)
@group(0) @binding(3) var<uniform> p: Params;
// Epilogue tensors. One binding number may name different variables in different entry points.
@group(0) @binding(4) var<storage, read_write> bias: array<f32>; // (Q)       *_bias, *_bias_gelu
@group(0) @binding(5) var<storage, read_write> pre: array<f32>; // (R,Q)      *_bias_gelu
@group(0) @binding(4) var<storage, read_write> pre_nobias: array<f32>; // (R,Q) *_gelu
@group(0) @binding(4) var<storage, read_write> dbias: array<f32>; // (R)     *_rowsum

var<workgroup> As: array<f32, A_LEN>; // As[k·A_PITCH + i] = op(A)[row0 + i, k0 + k]
var<workgroup> Bs: array<f32, B_LEN>; // Bs[k·B_PITCH + j] = op(B)[k0 + k, col0 + j]

// op(A)[i, k] and op(B)[k, j]; callers check bounds.
fn a_at(i: u32, k: u32) -> f32 {
  if (TRANS_A) {
    return a[k * p.rows + i];
  }
  return a[i * p.inner + k];
}

fn b_at(k: u32, j: u32) -> f32 {
  if (TRANS_B) {
    return b[j * p.inner + k];
  }
  return b[k * p.cols + j];
}

// ---- epilogues: (i, j) is in bounds, v = (op(A)·op(B))[i, j]. Forward ones overwrite. ----

fn store_plain(i: u32, j: u32, v: f32) {
  let o = i * p.cols + j;
  if (ACCUMULATE) {
    c[o] += v;
  } else {
    c[o] = v;
  }
}

fn store_bias(i: u32, j: u32, v: f32) {
  c[i * p.cols + j] = v + bias[j];
}

fn store_gelu(i: u32, j: u32, v: f32) {
  let o = i * p.cols + j;
  pre_nobias[o] = v;
  c[o] = gelu(v);
}

fn store_bias_gelu(i: u32, j: u32, v: f32) {
  let o = i * p.cols + j;
  let y = v + bias[j];
  pre[o] = y;
  c[o] = gelu(y);
}

// ---- register-tiled product ----

struct Tile {
  // acc[r·TN4 + q / 4][q % 4] = C[row0 + ty + WGY·r, col0 + tx + WGX·q]. Flat, and no local array
  // of B values below: at 4×4 this compiles as the one-block kernel did (nested or extra local
  // arrays made SwiftShader's 4×4 1.2–2× slower, measured).
  acc: array<vec4<f32>, TM * TN4>,
  rowsum: f32, // Σ_k op(A)[row0 + li, k] for thread li < BM, when asked
}

// The BM×BN block `tile` (x: column tile, y: row tile) of op(A)·op(B). Thread (tx, ty) owns rows
// ty + WGY·r and columns tx + WGX·q: strided, so neighbouring threads read neighbouring words
// of Bs and write neighbouring columns of C. With `rowsum`, threads li < BM also add up their
// row of op(A) as it passes through shared memory (the dbias column sum, in a fixed order).
fn tile_product(tile: vec2<u32>, lid: vec2<u32>, rowsum: bool) -> Tile {
  let row0 = tile.y * BM;
  let col0 = tile.x * BN;
  let li = lid.y * WGX + lid.x;
  let nt = WGX * WGY;
  var t: Tile;
  for (var k0 = 0u; k0 < p.inner; k0 += BK) {
    // Loads: consecutive threads take consecutive addresses in the operand's storage order.
    for (var e = li; e < BM * BK; e += nt) {
      var i = e / BK;
      var k = e % BK;
      if (TRANS_A) {
        i = e % BM;
        k = e / BM;
      }
      var v = 0.0;
      if (row0 + i < p.rows && k0 + k < p.inner) {
        v = a_at(row0 + i, k0 + k);
      }
      As[k * A_PITCH + i] = v;
    }
    for (var e = li; e < BN * BK; e += nt) {
      var j = e % BN;
      var k = e / BN;
      if (TRANS_B) {
        j = e / BK;
        k = e % BK;
      }
      var v = 0.0;
      if (col0 + j < p.cols && k0 + k < p.inner) {
        v = b_at(k0 + k, col0 + j);
      }
      Bs[k * B_PITCH + j] = v;
    }
    workgroupBarrier();
    if (rowsum && li < BM) {
      for (var k = 0u; k < BK; k++) {
        t.rowsum += As[k * A_PITCH + li];
      }
    }
    for (var k = 0u; k < BK; k++) {
      let ak = k * A_PITCH + lid.y;
      if (TN4 == 1u) {
        // One B vector per k (the 4×4 default): the form the compilers have always been given.
        let bk = k * B_PITCH + lid.x;
        let bv = vec4<f32>(Bs[bk], Bs[bk + WGX], Bs[bk + 2u * WGX], Bs[bk + 3u * WGX]);
        for (var r = 0u; r < TM; r++) {
          t.acc[r] = fma(vec4<f32>(As[ak + r * WGY]), bv, t.acc[r]);
        }
        continue;
      }
      for (var q4 = 0u; q4 < TN4; q4++) {
        let bk = k * B_PITCH + lid.x + 4u * q4 * WGX;
        let bv = vec4<f32>(Bs[bk], Bs[bk + WGX], Bs[bk + 2u * WGX], Bs[bk + 3u * WGX]);
        for (var r = 0u; r < TM; r++) {
          t.acc[r * TN4 + q4] = fma(vec4<f32>(As[ak + r * WGY]), bv, t.acc[r * TN4 + q4]);
        }
      }
    }
    workgroupBarrier();
  }
  return t;
}

// Output coordinates (i, j) of register (r, q) of thread lid in workgroup wid.
fn tile_ij(wid: vec3<u32>, lid: vec3<u32>, r: u32, q: u32) -> vec2<u32> {
  return vec2<u32>(wid.y * BM + lid.y + WGY * r, wid.x * BN + lid.x + WGX * q);
}

// C (=|+=) op(A)·op(B). Forward without bias: out = inp · weightᵀ. With ACCUMULATE, the two
// products that differentiate `out = inp · weightᵀ (+ bias)`: dinp += dpre · weight and
// dweight += dpreᵀ · inp (the latter without dbias; mm_rowsum adds that).
@compute @workgroup_size(WGX, WGY)
fn mm(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let t = tile_product(wid.xy, lid.xy, false);
  for (var r = 0u; r < TM; r++) {
    for (var q = 0u; q < TN; q++) {
      let ij = tile_ij(wid, lid, r, q);
      if (ij.x < p.rows && ij.y < p.cols) {
        store_plain(ij.x, ij.y, t.acc[r * TN4 + q / 4u][q % 4u]);
      }
    }
  }
}

// C = op(A)·op(B) + bias: out = inp · weightᵀ + bias.
@compute @workgroup_size(WGX, WGY)
fn mm_bias(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let t = tile_product(wid.xy, lid.xy, false);
  for (var r = 0u; r < TM; r++) {
    for (var q = 0u; q < TN; q++) {
      let ij = tile_ij(wid, lid, r, q);
      if (ij.x < p.rows && ij.y < p.cols) {
        store_bias(ij.x, ij.y, t.acc[r * TN4 + q / 4u][q % 4u]);
      }
    }
  }
}

// pre = op(A)·op(B), C = gelu(pre).
@compute @workgroup_size(WGX, WGY)
fn mm_gelu(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let t = tile_product(wid.xy, lid.xy, false);
  for (var r = 0u; r < TM; r++) {
    for (var q = 0u; q < TN; q++) {
      let ij = tile_ij(wid, lid, r, q);
      if (ij.x < p.rows && ij.y < p.cols) {
        store_gelu(ij.x, ij.y, t.acc[r * TN4 + q / 4u][q % 4u]);
      }
    }
  }
}

// pre = op(A)·op(B) + bias, C = gelu(pre).
@compute @workgroup_size(WGX, WGY)
fn mm_bias_gelu(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let t = tile_product(wid.xy, lid.xy, false);
  for (var r = 0u; r < TM; r++) {
    for (var q = 0u; q < TN; q++) {
      let ij = tile_ij(wid, lid, r, q);
      if (ij.x < p.rows && ij.y < p.cols) {
        store_bias_gelu(ij.x, ij.y, t.acc[r * TN4 + q / 4u][q % 4u]);
      }
    }
  }
}

// dweight += dpreᵀ·inp and dbias += Σ_m dpre, which differentiate the `+ bias` of
// `out = inp · weightᵀ + bias`. Row i of op(A) = dpreᵀ is column i of dpre, so its row sum is
// dbias[i]; only the workgroups of column tile 0 add it, once per row.
@compute @workgroup_size(WGX, WGY)
fn mm_rowsum(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let owner = wid.x == 0u;
  let t = tile_product(wid.xy, lid.xy, owner);
  for (var r = 0u; r < TM; r++) {
    for (var q = 0u; q < TN; q++) {
      let ij = tile_ij(wid, lid, r, q);
      if (ij.x < p.rows && ij.y < p.cols) {
        store_plain(ij.x, ij.y, t.acc[r * TN4 + q / 4u][q % 4u]);
      }
    }
  }
  let li = lid.y * WGX + lid.x;
  let i = wid.y * BM + li;
  if (owner && li < BM && i < p.rows) {
    dbias[i] += t.rowsum;
  }
}

// ---- naive reference: one output per thread, k in ascending order ----

fn naive_dot(i: u32, j: u32) -> f32 {
  var s = 0.0;
  for (var k = 0u; k < p.inner; k++) {
    s = fma(a_at(i, k), b_at(k, j), s);
  }
  return s;
}

@compute @workgroup_size(16, 16)
fn naive_mm(@builtin(global_invocation_id) g: vec3<u32>) {
  if (g.y < p.rows && g.x < p.cols) {
    store_plain(g.y, g.x, naive_dot(g.y, g.x));
  }
}

@compute @workgroup_size(16, 16)
fn naive_mm_bias(@builtin(global_invocation_id) g: vec3<u32>) {
  if (g.y < p.rows && g.x < p.cols) {
    store_bias(g.y, g.x, naive_dot(g.y, g.x));
  }
}

@compute @workgroup_size(16, 16)
fn naive_mm_gelu(@builtin(global_invocation_id) g: vec3<u32>) {
  if (g.y < p.rows && g.x < p.cols) {
    store_gelu(g.y, g.x, naive_dot(g.y, g.x));
  }
}

@compute @workgroup_size(16, 16)
fn naive_mm_bias_gelu(@builtin(global_invocation_id) g: vec3<u32>) {
  if (g.y < p.rows && g.x < p.cols) {
    store_bias_gelu(g.y, g.x, naive_dot(g.y, g.x));
  }
}

// As mm_rowsum: dweight += dpreᵀ·inp, dbias += Σ_m dpre (column 0's threads add the row sums).
@compute @workgroup_size(16, 16)
fn naive_mm_rowsum(@builtin(global_invocation_id) g: vec3<u32>) {
  if (g.y < p.rows && g.x < p.cols) {
    store_plain(g.y, g.x, naive_dot(g.y, g.x));
  }
  if (g.x == 0u && g.y < p.rows) {
    var s = 0.0;
    for (var k = 0u; k < p.inner; k++) {
      s += a_at(g.y, k);
    }
    dbias[g.y] += s;
  }
}
