// BERT random-token masking (spec A1) on the GPU, bit-identical to src/masking/reference.ts:
//   tokens (B,T) u32 → inputs (B,T) u32, positions (B,P) u32, targets (B,P) u32, weights (B,P) f32,
//                      record (B,T) u32 = kind | t << 8 (kind: 0 none, 1 MASK, 2 RANDOM, 3 KEEP)
// One workgroup per sequence holds it in workgroup memory. Every candidate (not [PAD]/[CLS]/[SEP]/
// [MASK]) gets the score hash4(seed, step, b, t); the n smallest (ties: lower t) are chosen, found
// by counting (rank = #candidates ahead of it; O(T²) per sequence, fine for T ≤ 512), and a chosen
// token's slot is the number of chosen positions before it, so slots are in position order.
// Integer-only decisions (budget table from the CPU, u24 thresholds) keep GPU == CPU exactly.
// Not here: other strategies (whole-word, span, …), the budget formula (the CPU's maskBudget).
//!include prng.wgsl

struct Params {
  B: u32,
  T: u32,
  P: u32,
  seed: u32,
  step: u32,
  thr_mask: u32,        // u24 < thr_mask → [MASK]
  thr_mask_random: u32, // u24 < thr_mask_random → random ordinary token; else keep
  vocab_size: u32,
}

const TMAX: u32 = 512u; // = MASKING_MAX_T in src/masking/reference.ts
//!include special_tokens.wgsl
const SALT_KIND: u32 = 0x5bd1e995u;  // = SALT_KIND in reference.ts
const SALT_TOKEN: u32 = 0x68e31da4u; // = SALT_TOKEN in reference.ts

@group(0) @binding(0) var<storage, read_write> tokens: array<u32>;    // (B,T)
@group(0) @binding(1) var<storage, read_write> inputs: array<u32>;    // (B,T)
@group(0) @binding(2) var<storage, read_write> positions: array<u32>; // (B,P)
@group(0) @binding(3) var<storage, read_write> targets: array<u32>;   // (B,P)
@group(0) @binding(4) var<storage, read_write> weights: array<f32>;   // (B,P)
@group(0) @binding(5) var<storage, read_write> record: array<u32>;    // (B,T)
@group(0) @binding(6) var<uniform> p: Params;
// budget[L] = min(P, maxPredictions, max(1, round(L·rate))) for L = 0..TMAX, four per vec4
// (uniform arrays have a 16-byte stride). Computed by maskBudget() on the CPU: one rounding rule.
@group(0) @binding(7) var<uniform> budget: array<vec4<u32>, 129>;

override WG: u32 = 128;

var<workgroup> tok: array<u32, TMAX>;
var<workgroup> score: array<u32, TMAX>;
var<workgroup> cand: array<u32, TMAX>;   // 1 = may be masked
var<workgroup> chosen: array<u32, TMAX>; // 1 = masked
var<workgroup> n_valid: atomic<u32>;     // L: non-[PAD] tokens (integer atomics are order-free)
var<workgroup> n_cand: atomic<u32>;

fn is_candidate(k: u32) -> bool {
  return k != PAD && k != CLS && k != SEP && k != MASK; // [UNK] may be masked, as in BERT
}

@compute @workgroup_size(WG)
fn random_masking(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let b = wid.x + wid.y * groups.x;
  if (b >= p.B) {
    return; // uniform per workgroup
  }
  if (lid == 0u) {
    atomicStore(&n_valid, 0u);
    atomicStore(&n_cand, 0u);
  }
  workgroupBarrier();
  for (var t = lid; t < p.T; t += WG) {
    let k = tokens[b * p.T + t];
    tok[t] = k;
    score[t] = hash4(p.seed, p.step, b, t);
    let c = is_candidate(k);
    cand[t] = select(0u, 1u, c);
    if (k != PAD) {
      atomicAdd(&n_valid, 1u);
    }
    if (c) {
      atomicAdd(&n_cand, 1u);
    }
  }
  workgroupBarrier();
  let L = atomicLoad(&n_valid);
  let n = min(budget[L / 4u][L % 4u], atomicLoad(&n_cand));

  // Rank among candidates by (score, position): the n smallest are the "first n of the shuffle".
  for (var t = lid; t < p.T; t += WG) {
    var pick = 0u;
    if (cand[t] == 1u) {
      let s = score[t];
      var rank = 0u;
      for (var u = 0u; u < p.T; u++) {
        if (cand[u] == 1u && (score[u] < s || (score[u] == s && u < t))) {
          rank++;
        }
      }
      pick = select(0u, 1u, rank < n);
    }
    chosen[t] = pick;
  }
  workgroupBarrier();

  for (var t = lid; t < p.T; t += WG) {
    let i = b * p.T + t;
    let k = tok[t];
    if (chosen[t] == 0u) {
      inputs[i] = k;
      record[i] = 0u;
      continue;
    }
    var slot = 0u;
    for (var u = 0u; u < t; u++) {
      slot += chosen[u];
    }
    let j = b * p.P + slot;
    positions[j] = t;
    targets[j] = k;
    weights[j] = 1.0;
    // 80/10/10 decided per token from its own stream, compared as 24-bit integers (exact).
    let u24 = hash4(p.seed ^ SALT_KIND, p.step, b, t) >> 8u;
    var kind = 3u; // KEEP
    var x = k;
    if (u24 < p.thr_mask) {
      kind = 1u;
      x = MASK;
    } else if (u24 < p.thr_mask_random) {
      kind = 2u;
      // Uniform over ordinary ids only (BERT's draw includes specials; we exclude them on purpose).
      x = FIRST_ORDINARY + hash4(p.seed ^ SALT_TOKEN, p.step, b, t) % (p.vocab_size - FIRST_ORDINARY);
    }
    inputs[i] = x;
    record[i] = kind | (t << 8u);
  }
  // Slots past the n chosen ones are padding: position 0, target 0, weight 0.
  for (var s = n + lid; s < p.P; s += WG) {
    let j = b * p.P + s;
    positions[j] = 0u;
    targets[j] = 0u;
    weights[j] = 0.0;
  }
}
