// ELECTRA between generator and discriminator (Clark et al. 2020), on the GPU:
//   gumbel_sample:  logits (M,V), targets (M) u32, weights (M) → sampled (M) u32, one draw per
//                   prediction slot from softmax(logits/T) by Gumbel-max: argmax_v logits/T + g_v,
//                   g_v = −log(−log u), u from hash4(seed, step, row, v) (ties: lowest index).
//   electra_copy:   tokens, attn_mask (B,T) → disc_inputs = tokens, labels = 0, loss_weights,
//                   row_stats[b][3] = real tokens
//   electra_replace: positions, targets, weights, sampled (B,P) → disc_inputs[b, pos] = sampled,
//                   labels[b, pos] = sampled ≠ original, row_stats[b][0..2] (runs after electra_copy)
//   electra_stats:  row_stats (B,4) → stats (4), column sums in row order (one workgroup)
// The replace step is split in two dispatches because the whole of it would bind 10 storage
// buffers and WebGPU only promises 8 per stage. Entry points that never meet share binding numbers.
// Not here: the generator's logits (decoder), either model's loss, or a CPU twin of the sampler's
// f32 maths (src/reference/electra.ts samples in float64 from the same hashes, for comparison).
//!include prng.wgsl
//!include argmax_tree.wgsl

struct SampleParams {
  M: u32,
  V: u32,
  seed: u32,
  step: u32, // rewritten every step (setStep)
  inv_temp: f32, // 1/T
  flags: u32, // FLAG_DISALLOW_CORRECT | FLAG_UNIFORM
  first_ordinary: u32, // uniform mode: candidates are ids ≥ this
  _pad: u32,
}

struct ReplaceParams {
  B: u32,
  T: u32,
  P: u32,
  masked_only: u32, // 1: loss_weights = 1 only at masked positions ("ELECTRA-15%")
}

const NONE: u32 = 0xffffffffu;
const FLAG_DISALLOW_CORRECT: u32 = 1u; // = GUMBEL_FLAGS in src/model/ops/electra.ts
const FLAG_UNIFORM: u32 = 2u;

// gumbel_sample (0–4).
@group(0) @binding(0) var<uniform> sp: SampleParams;
@group(0) @binding(1) var<storage, read_write> sampled: array<u32>; // (M)
@group(0) @binding(2) var<storage, read_write> logits: array<f32>;  // (M,V), only read
@group(0) @binding(3) var<storage, read_write> targets: array<u32>; // (M) original id per slot
@group(0) @binding(4) var<storage, read_write> weights: array<f32>; // (M), 0 = unused slot
// electra_copy and electra_replace (0–8): outputs at 1–4, inputs from 5.
@group(0) @binding(0) var<uniform> rp: ReplaceParams;
@group(0) @binding(1) var<storage, read_write> disc_inputs: array<u32>;  // (B,T)
@group(0) @binding(2) var<storage, read_write> labels: array<f32>;       // (B,T) 1 = replaced
@group(0) @binding(3) var<storage, read_write> loss_weights: array<f32>; // (B,T)
@group(0) @binding(4) var<storage, read_write> row_stats: array<u32>;    // (B,4)
@group(0) @binding(5) var<storage, read_write> tokens: array<u32>;       // (B,T) copy only
@group(0) @binding(6) var<storage, read_write> attn_mask: array<u32>;    // (B,T) copy only, 1 = real
@group(0) @binding(5) var<storage, read_write> positions: array<u32>;    // (B,P) replace only
@group(0) @binding(6) var<storage, read_write> slot_targets: array<u32>; // (B,P) replace only
@group(0) @binding(7) var<storage, read_write> slot_weights: array<f32>; // (B,P) replace only
@group(0) @binding(8) var<storage, read_write> slot_sampled: array<u32>; // (B,P) replace only
// electra_stats (0–2).
@group(0) @binding(1) var<storage, read_write> stats_rows: array<u32>; // (B,4) = row_stats
@group(0) @binding(2) var<storage, read_write> stats: array<u32>;      // (4)


// Per-row counts; workgroup memory starts zeroed, and integer atomics are order-free.
var<workgroup> n_real: atomic<u32>;
var<workgroup> n_masked: atomic<u32>;
var<workgroup> n_same: atomic<u32>;

// −log(u) > 0 for u = (k + ½)/2²⁴, k < 2²⁴ (u strictly inside (0,1), every step exact in f32):
// an Exp(1) draw. For u ≥ ½ it does not call log: WGSL only bounds log's *absolute* error by 2⁻²¹
// on [½, 2], as large as −log(u) itself near u = 1, where it could come out ≤ 0 and make g ±inf
// or NaN. There −log(1 − w) = 2·atanh(z), z = w/(2 − w) ≤ ⅓, with w = 1 − u also exact.
fn neg_log_unit(k: u32) -> f32 {
  if (k < 0x800000u) {
    return -log((f32(k) + 0.5) * (1.0 / 16777216.0)); // u < ½: log is good to 3 ULP here
  }
  let w = (f32(0xffffffu - k) + 0.5) * (1.0 / 16777216.0);
  let z = w / (2.0 - w);
  let z2 = z * z;
  // 2z·(1 + z²/3 + … + z¹⁴/15); the first term left out is < 2e-9 of the sum at z = ⅓.
  var s = 1.0 / 15.0;
  s = s * z2 + 1.0 / 13.0;
  s = s * z2 + 1.0 / 11.0;
  s = s * z2 + 1.0 / 9.0;
  s = s * z2 + 1.0 / 7.0;
  s = s * z2 + 1.0 / 5.0;
  s = s * z2 + 1.0 / 3.0;
  s = s * z2 + 1.0;
  return 2.0 * z * s;
}

@compute @workgroup_size(WG)
fn gumbel_sample(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let row = wid.x + wid.y * groups.x;
  if (row >= sp.M) {
    return; // uniform per workgroup, so no barrier is skipped by part of a group
  }
  let t = targets[row];
  let disallow = (sp.flags & FLAG_DISALLOW_CORRECT) != 0u;
  let uniform_gen = (sp.flags & FLAG_UNIFORM) != 0u;
  // ELECTRA's uniform_generator draws from ordinary ids only: a special ([PAD] [UNK] [CLS] [SEP]
  // [MASK]) put in the middle of a sentence would be trivially detectable as replaced.
  let first = select(0u, sp.first_ordinary, uniform_gen);
  let base = row * sp.V;

  // Each thread keeps the first maximum of its increasing strided indices; the tree below prefers
  // the lower index on ties, so the answer is the lowest argmax whatever WG is. An unused slot
  // (weight 0) skips the scan, keeps NONE and so writes its target.
  var best = 0.0; // replaced by the first score seen (best_i is the "none yet" flag)
  var best_i = NONE;
  if (weights[row] != 0.0) {
    for (var j = first + lid; j < sp.V; j += WG) {
      if (disallow && j == t) {
        continue; // ELECTRA adds −1000 to the original token's logit; excluding it is the limit
      }
      var l = 0.0; // uniform mode: every logit is 0, and the buffer is not read
      if (!uniform_gen) {
        l = logits[base + j] * sp.inv_temp;
      }
      let s = l - log(neg_log_unit(hash4(sp.seed, sp.step, row, j) >> 8u));
      if (s > best || best_i == NONE) {
        best = s;
        best_i = j;
      }
    }
  }
  let win = tree_argmax(lid, best, best_i);
  if (lid == 0u) {
    sampled[row] = select(t, win.i, win.i != NONE); // no candidate (or unused): the target
  }
}

@compute @workgroup_size(WG)
fn electra_copy(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let b = wid.x + wid.y * groups.x;
  if (b >= rp.B) {
    return; // uniform per workgroup
  }
  var real = 0u;
  for (var t = lid; t < rp.T; t += WG) {
    let i = b * rp.T + t;
    let is_real = attn_mask[i] != 0u;
    disc_inputs[i] = tokens[i];
    labels[i] = 0.0;
    // The discriminator learns from every real token, not just the masked ones (ELECTRA §2);
    // the ELECTRA-15% ablation gets its 1s from electra_replace.
    loss_weights[i] = select(0.0, 1.0, is_real && rp.masked_only == 0u);
    real += select(0u, 1u, is_real);
  }
  atomicAdd(&n_real, real);
  workgroupBarrier();
  if (lid == 0u) {
    row_stats[b * 4u + 3u] = atomicLoad(&n_real);
  }
}

// Slots with weight 0, or a position ≥ T, are left alone. Used slots must have distinct positions
// (the masking kernels guarantee it), and slot_targets[b,p] = tokens[b, positions[b,p]] (the
// masking kernels write it so); comparing with it instead of tokens saves a 9th storage binding,
// and it is the same id the sampler excluded under disallowCorrect.
@compute @workgroup_size(WG)
fn electra_replace(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let b = wid.x + wid.y * groups.x;
  if (b >= rp.B) {
    return; // uniform per workgroup
  }
  var masked = 0u;
  var same = 0u;
  for (var q = lid; q < rp.P; q += WG) {
    let s = b * rp.P + q;
    let t = positions[s];
    if (slot_weights[s] > 0.0 && t < rp.T) {
      let i = b * rp.T + t;
      let tok = slot_sampled[s];
      // A generator that guessed the original produced an original token, so its label is 0.
      let kept = tok == slot_targets[s];
      disc_inputs[i] = tok;
      labels[i] = select(1.0, 0.0, kept);
      if (rp.masked_only != 0u) {
        loss_weights[i] = 1.0;
      }
      masked += 1u;
      same += select(0u, 1u, kept);
    }
  }
  atomicAdd(&n_masked, masked);
  atomicAdd(&n_same, same);
  workgroupBarrier();
  if (lid == 0u) {
    let m = atomicLoad(&n_masked);
    let k = atomicLoad(&n_same);
    row_stats[b * 4u] = m;
    row_stats[b * 4u + 1u] = k;
    row_stats[b * 4u + 2u] = m - k;
  }
}

// [masked slots, sampled == original, replaced, real tokens] summed over the batch; u32 sums are
// exact, and the loop keeps one order anyway.
@compute @workgroup_size(4)
fn electra_stats(@builtin(local_invocation_index) lid: u32) {
  var s = 0u;
  for (var b = 0u; b < rp.B; b++) {
    s += stats_rows[b * 4u + lid];
  }
  stats[lid] = s;
}
