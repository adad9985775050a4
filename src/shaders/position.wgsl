// Position prediction (MP3, Zhai et al. 2022) on the GPU:
//   position_context: real (B,T) u32 (1 = real token) → ctx (B,T) u32, the tokens kept as keys and
//                     values: in each row the k = max(1, n − ⌊n·η⌋) real tokens with the smallest
//                     hash4(seed, step, b, t) (ties: lower t), n = the row's real tokens; η is
//                     passed as eta_q = round(η·65536), so ⌊n·η⌋ = (n·eta_q) >> 16 exactly. One
//                     thread per token, which ranks its key against its row's: O(T) each.
//   position_error:   logits (M,N), targets (M) u32, weights (M) → out (2) f32 =
//                     [Σ w·|argmax − target|, Σ w] (argmax ties: lowest index). One workgroup;
//                     the sums are a fixed tree, so they are reproducible bit for bit.
// CPU twins: src/reference/position.ts (the context mask bit-identical, the error in float64).
//!include prng.wgsl
//!include tree_sum.wgsl

override WG: u32 = 64;

struct ContextParams {
  B: u32,
  T: u32,
  seed: u32,
  step: u32, // rewritten every step (setStep)
  eta_q: u32,
  _pad0: u32,
  _pad1: u32,
  _pad2: u32,
}

struct ErrorParams {
  M: u32,
  N: u32,
  _pad0: u32,
  _pad1: u32,
}

// position_context (0–2).
@group(0) @binding(0) var<uniform> cp: ContextParams;
@group(0) @binding(1) var<storage, read_write> real: array<u32>;
@group(0) @binding(2) var<storage, read_write> ctx: array<u32>;

// position_error (0–4); entry points that never meet share binding numbers.
@group(0) @binding(0) var<uniform> ep: ErrorParams;
@group(0) @binding(1) var<storage, read_write> err_out: array<f32>;
@group(0) @binding(2) var<storage, read_write> logits: array<f32>;
@group(0) @binding(3) var<storage, read_write> targets: array<u32>;
@group(0) @binding(4) var<storage, read_write> weights: array<f32>;

@compute @workgroup_size(WG)
fn position_context(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = gid.x + gid.y * (groups.x * WG);
  if (i >= cp.B * cp.T) {
    return;
  }
  if (real[i] == 0u) {
    ctx[i] = 0u;
    return;
  }
  let b = i / cp.T;
  let t = i % cp.T;
  let key = hash4(cp.seed, cp.step, b, t);
  var n = 0u;
  var rank = 0u;
  for (var j = 0u; j < cp.T; j++) {
    if (real[b * cp.T + j] != 0u) {
      n += 1u;
      let kj = hash4(cp.seed, cp.step, b, j);
      if (kj < key || (kj == key && j < t)) {
        rank += 1u;
      }
    }
  }
  let k = max(1u, n - ((n * cp.eta_q) >> 16u));
  ctx[i] = select(0u, 1u, rank < k);
}

@compute @workgroup_size(WG)
fn position_error(@builtin(local_invocation_index) lid: u32) {
  var acc = vec2<f32>(0.0, 0.0);
  for (var r = lid; r < ep.M; r += WG) {
    let w = weights[r];
    if (w != 0.0) {
      var best = 0u;
      var top = logits[r * ep.N];
      for (var c = 1u; c < ep.N; c++) {
        let v = logits[r * ep.N + c];
        if (v > top) {
          top = v;
          best = c;
        }
      }
      let tgt = targets[r];
      let d = select(tgt - best, best - tgt, best > tgt);
      acc += vec2<f32>(w * f32(d), w);
    }
  }
  let s = tree_sum2(lid, acc);
  if (lid == 0u) {
    err_out[0] = s.x;
    err_out[1] = s.y;
  }
}
