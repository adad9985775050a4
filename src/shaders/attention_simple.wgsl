// Barrier-free attention for CPU implementations of WebGPU (SwiftShader, the 'cpu' kernel
// profile), and the untiled reference for attention.wgsl: same math, same layout, same outputs.
// qkv (B,T,3C): Q, K, V at channels [0,C), [C,2C), [2C,3C); head h owns h·HS..(h+1)·HS of each.
// mask (B,T) u32, 1 = real token. probs, dscores (B,NH,T,T).
//   attention_forward_simple:        one thread per (b, h, query i): scores, softmax, P·V
//   attention_backward_query_simple: one thread per (b, h, query i): dS row (into dscores), dQ +=
//   attention_backward_key_simple:   one thread per (b, h, key j): dK +=, dV += (after the above)
// Why no workgroup memory: on SwiftShader every workgroupBarrier costs a fiber switch per
// invocation, which dwarfs the arithmetic at the model's tiny shapes. Every sum runs in a fixed
// order inside one thread, so results are bit-reproducible. Reads are strided (a thread walks all
// keys of its head): slow on a real GPU, harmless on a CPU.

// The prefix of attention.wgsl's Params: the launcher binds the same uniform block.
struct Params {
  B: u32,
  T: u32,
  C: u32,
  NH: u32,
  scale: f32, // 1/√HS
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> qkv: array<f32>;
@group(0) @binding(2) var<storage, read_write> mask: array<u32>;
@group(0) @binding(3) var<storage, read_write> probs: array<f32>;
// Forward only. Entry points that never meet may share a binding number.
@group(0) @binding(4) var<storage, read_write> out: array<f32>;
// Backward only (both entry points bind 0–6 alike).
@group(0) @binding(4) var<storage, read_write> dout: array<f32>;
@group(0) @binding(5) var<storage, read_write> dscores: array<f32>;
@group(0) @binding(6) var<storage, read_write> dqkv: array<f32>;

override HS: u32 = 64; // head size
const WG: u32 = 64u;
const NEG: f32 = -3.0e38; // below any score; finite, so exp(NEG − m) is 0, never NaN

fn qkv_at(b: u32, t: u32, part: u32, h: u32, d: u32) -> u32 {
  return (b * p.T + t) * 3u * p.C + part * p.C + h * HS + d;
}

/** Flat thread index n = (b·NH + h)·T + t over the grid1d grid (≥ B·NH·T past the end). */
fn thread_index(gid: vec3<u32>, groups: vec3<u32>) -> u32 {
  return gid.x + gid.y * groups.x * WG;
}

// probs[b,h,i,:] = softmax over real keys j of Q_i·K_j/√HS (padding keys exactly 0; no real key
// at all → a zero row), then out[b,i,h·HS + d] = Σ_j probs[b,h,i,j]·V_jd.
@compute @workgroup_size(WG)
fn attention_forward_simple(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let n = thread_index(gid, groups);
  if (n >= p.B * p.NH * p.T) {
    return;
  }
  let T = p.T;
  let i = n % T;
  let b = n / T / p.NH;
  let h = (n / T) % p.NH;
  let row = n * T;
  var m = NEG;
  for (var j = 0u; j < T; j++) {
    var s = 0.0;
    for (var d = 0u; d < HS; d++) {
      s += qkv[qkv_at(b, i, 0u, h, d)] * qkv[qkv_at(b, j, 1u, h, d)];
    }
    s *= p.scale;
    probs[row + j] = s;
    if (mask[b * T + j] != 0u) {
      m = max(m, s);
    }
  }
  var l = 0.0;
  for (var j = 0u; j < T; j++) {
    var e = 0.0;
    if (mask[b * T + j] != 0u) {
      e = exp(probs[row + j] - m);
    }
    probs[row + j] = e;
    l += e;
  }
  let inv = select(0.0, 1.0 / l, l > 0.0);
  for (var j = 0u; j < T; j++) {
    probs[row + j] *= inv;
  }
  for (var d = 0u; d < HS; d++) {
    var a = 0.0;
    for (var j = 0u; j < T; j++) {
      a += probs[row + j] * qkv[qkv_at(b, j, 2u, h, d)];
    }
    out[(b * T + i) * p.C + h * HS + d] = a;
  }
}

// Differentiates  probs = softmax(S), out = P·V  for query row i, then  S = Q·Kᵀ/√HS  for Q_i:
//   dP_ij = dO_i·V_j;  dS_ij = P_ij·(dP_ij − Σ_k P_ik·dP_ik);  dQ_i += Σ_j dS_ij·K_j/√HS.
// dS goes to dscores (row i of this thread only) for attention_backward_key_simple. Padding keys
// have P = 0, hence dS = 0: they are skipped (and written as exact zeros).
@compute @workgroup_size(WG)
fn attention_backward_query_simple(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let n = thread_index(gid, groups);
  if (n >= p.B * p.NH * p.T) {
    return;
  }
  let T = p.T;
  let i = n % T;
  let b = n / T / p.NH;
  let h = (n / T) % p.NH;
  let row = n * T;
  let o = (b * T + i) * p.C + h * HS; // dO_i
  var D = 0.0; // Σ_k P_ik·dP_ik
  for (var j = 0u; j < T; j++) {
    var dp = 0.0;
    if (mask[b * T + j] != 0u) {
      for (var d = 0u; d < HS; d++) {
        dp += dout[o + d] * qkv[qkv_at(b, j, 2u, h, d)];
      }
    }
    dscores[row + j] = dp;
    D += dp * probs[row + j];
  }
  for (var j = 0u; j < T; j++) {
    dscores[row + j] = probs[row + j] * (dscores[row + j] - D);
  }
  for (var d = 0u; d < HS; d++) {
    var a = 0.0;
    for (var j = 0u; j < T; j++) {
      a += dscores[row + j] * qkv[qkv_at(b, j, 1u, h, d)];
    }
    dqkv[qkv_at(b, i, 0u, h, d)] += p.scale * a;
  }
}

// Differentiates  S = Q·Kᵀ/√HS  for K_j and  out = P·V  for V_j, with dS from
// attention_backward_query_simple (an earlier dispatch):
//   dK_j += Σ_i dS_ij·Q_i/√HS;  dV_j += Σ_i P_ij·dO_i  (i in order 0..T-1).
// A padding key's column of P and dS is all zeros: it adds nothing, so it returns at once.
@compute @workgroup_size(WG)
fn attention_backward_key_simple(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let n = thread_index(gid, groups);
  if (n >= p.B * p.NH * p.T) {
    return;
  }
  let T = p.T;
  let j = n % T;
  let b = n / T / p.NH;
  let h = (n / T) % p.NH;
  if (mask[b * T + j] == 0u) {
    return;
  }
  let col = (n - j) * T + j; // (b, h, i = 0, j); + i·T walks down the column
  for (var d = 0u; d < HS; d++) {
    var ak = 0.0;
    var av = 0.0;
    for (var i = 0u; i < T; i++) {
      ak += dscores[col + i * T] * qkv[qkv_at(b, i, 0u, h, d)];
      av += probs[col + i * T] * dout[(b * T + i) * p.C + h * HS + d];
    }
    dqkv[qkv_at(b, j, 1u, h, d)] += p.scale * ak;
    dqkv[qkv_at(b, j, 2u, h, d)] += av;
  }
}
