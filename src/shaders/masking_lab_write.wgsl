// The masking lab's shared writer, run after any selection kernel; bit-identical to writeRow in
// src/masking/selection.ts. One invocation per sequence walks the row in order: a position the
// selection marked (record = 1 | unit << 8) gets the next slot, a corruption kind (u24 against
// thresholds, hashed over t or over the unit index; diffusion: always [MASK], weight 1/t) and its
// final record kind | fallback << 2 | unit << 8; other positions keep their token and record 0.
// Unused slots get position 0, target 0, weight 0; rowStats (B,8) = [L, masked, MASK, RANDOM,
// KEEP, units masked, fallback, 0]. Eight storage bindings: the WebGPU default maximum.
// Not here: choosing positions (masking_lab.wgsl, masking_lab_spans.wgsl).
//!include masking_lab_common.wgsl

@group(0) @binding(0) var<storage, read_write> tokens: array<u32>;    // (B,T) original ids
@group(0) @binding(1) var<storage, read_write> cdf: array<u32>;       // (V) cumulative unigram counts
@group(0) @binding(2) var<storage, read_write> record: array<u32>;    // (B,T) marks in, record out
@group(0) @binding(3) var<storage, read_write> inputs: array<u32>;    // (B,T)
@group(0) @binding(4) var<storage, read_write> positions: array<u32>; // (B,P)
@group(0) @binding(5) var<storage, read_write> targets: array<u32>;   // (B,P)
@group(0) @binding(6) var<storage, read_write> weights: array<f32>;   // (B,P)
@group(0) @binding(7) var<storage, read_write> row_stats: array<u32>; // (B,8)
@group(0) @binding(8) var<uniform> p: LabParams;

override WG: u32 = 64;

// Uniform over ordinary ids, or the first id whose cumulative count exceeds h % total.
fn random_token(b: u32, t: u32) -> u32 {
  let h = hash4(p.seed ^ SALT_TOKEN, p.step, b, t);
  if (p.random_from == 0u) {
    return FIRST_ORDINARY + h % (p.V - FIRST_ORDINARY);
  }
  let r = h % p.cdf_total;
  var lo = FIRST_ORDINARY;
  var hi = p.V - 1u;
  while (lo < hi) {
    let mid = (lo + hi) / 2u;
    if (cdf[mid] > r) {
      hi = mid;
    } else {
      lo = mid + 1u;
    }
  }
  return lo;
}

@compute @workgroup_size(WG)
fn lab_write(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let b = seq_of(gid, groups, WG);
  if (b >= p.B) {
    return;
  }
  let o = b * p.T;
  let diffusion = p.kind == KIND_BERNOULLI;
  let fallback = p.kind == KIND_SCORES && attention_fallback(p.seed, p.step, b, p.force_random, p.thr_apply);
  let fb_bit = select(0u, 4u, fallback);
  var w = 1.0;
  if (diffusion) {
    w = 16777216.0 / f32(diffusion_tq(p.seed, p.step, b, p.B, p.eps24));
  }
  var L = 0u;
  var slot = 0u;
  var n_mask = 0u;
  var n_random = 0u;
  var n_keep = 0u;
  var n_units = 0u;
  var prev_masked = false;
  var prev_unit = 0u;
  for (var t = 0u; t < p.T; t++) {
    let i = o + t;
    let m = record[i];
    let tok = tokens[i];
    if (tok != PAD) {
      L++;
    }
    if ((m & 1u) == 0u || slot >= p.P) {
      inputs[i] = tok;
      record[i] = 0u;
      prev_masked = false;
      continue;
    }
    let unit = m >> 8u;
    var kind = 1u; // MASK
    var x = MASK;
    if (!diffusion) {
      let u24 = hash4(p.seed ^ SALT_KIND, p.step, b, select(t, unit, p.corrupt_by == 1u)) >> 8u;
      if (u24 >= p.thr_mask) {
        if (u24 < p.thr_mask_random) {
          kind = 2u;
          x = random_token(b, t);
        } else {
          kind = 3u;
          x = tok;
        }
      }
    }
    let j = b * p.P + slot;
    slot++;
    positions[j] = t;
    targets[j] = tok;
    weights[j] = w;
    inputs[i] = x;
    record[i] = kind | fb_bit | (unit << 8u);
    if (kind == 1u) {
      n_mask++;
    } else if (kind == 2u) {
      n_random++;
    } else {
      n_keep++;
    }
    if (!(prev_masked && prev_unit == unit)) {
      n_units++;
    }
    prev_masked = true;
    prev_unit = unit;
  }
  let masked = slot;
  for (; slot < p.P; slot++) {
    let j = b * p.P + slot;
    positions[j] = 0u;
    targets[j] = 0u;
    weights[j] = 0.0;
  }
  let s = b * 8u;
  row_stats[s] = L;
  row_stats[s + 1u] = masked;
  row_stats[s + 2u] = n_mask;
  row_stats[s + 3u] = n_random;
  row_stats[s + 4u] = n_keep;
  row_stats[s + 5u] = n_units;
  row_stats[s + 6u] = select(0u, 1u, fallback);
  row_stats[s + 7u] = 0u;
}
