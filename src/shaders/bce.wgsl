// Sigmoid binary cross-entropy of the ELECTRA discriminator, fused with its gradient, plus the
// metrics the loop reads.
//   bce_wsum:    weights (N) → wsum[0] = Σw                                (one workgroup, fixed tree)
//   bce:         logits (N), labels (N) 0|1, weights (N), wsum →
//                  losses (N) = max(x,0) − x·y + log1p(exp(−|x|)),  probs (N) = σ(x),
//                  logits ← dlogits = scale·(σ(x) − y)·w/Σw                 (in place; 0 if Σw = 0)
//   bce_metrics: probs, labels, weights, losses (N) → metrics (8) =
//                  [Σw·loss/Σw, accuracy(p ≥ ½), precision, recall, AUC, Σw, Σw·y, 0]
// Every sum has one order (per-thread strided loop, then a fixed tree), so results are
// bit-reproducible. Not here: the discriminator head that makes the logits, or averaging over steps.

struct Params {
  N: u32,
  scale: f32, // ELECTRA's λ (disc_weight); bce only
}

// One binding list for all entry points (as in crossentropy.wgsl): slot 1 is the logits for
// bce_wsum/bce and the 8-float metrics block for bce_metrics; slot 6 is bound by bce_* only.
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> logits_or_metrics: array<f32>; // (N) logits in, dlogits out | (8) metrics
@group(0) @binding(2) var<storage, read_write> labels: array<f32>;  // (N) 0 or 1
@group(0) @binding(3) var<storage, read_write> weights: array<f32>; // (N) 0 = padding, not counted
@group(0) @binding(4) var<storage, read_write> losses: array<f32>;  // (N) unweighted
@group(0) @binding(5) var<storage, read_write> probs: array<f32>;   // (N)
@group(0) @binding(6) var<storage, read_write> wsum: array<f32>;    // (1) scratch: Σw

override WG: u32 = 256;        // a power of two
override BINS: u32 = 2048;     // AUC histogram bins (a power of two, ≥ WG)
override SCORE_MAX: f32 = 16.0; // AUC scores are clamped to [−SCORE_MAX, SCORE_MAX]

var<workgroup> scan: array<u32, WG>;
var<workgroup> hist: array<atomic<u32>, BINS>;

//!include tree_sum.wgsl

// log(1 + u) for u ∈ [−0.4, 1] (WGSL has no log1p, and its log() is only accurate to 2⁻²¹
// *absolute* near 1, which would cost a tiny loss all its digits): 2·atanh(s), s = u/(2 + u),
// |s| ≤ ⅓, by its odd series to s¹⁷ (truncation < 1e-10).
fn log1p(u: f32) -> f32 {
  let s = u / (2.0 + u);
  let s2 = s * s;
  var q = 1.0 / 17.0;
  for (var k = 15.0; k > 0.0; k -= 2.0) {
    q = q * s2 + 1.0 / k;
  }
  return 2.0 * s * q;
}

// (e^x − 1)/x for x ∈ [0, 1], by its Taylor series to x⁹/10! (truncation < 3e-8): the part of
// expm1 that log() may take without losing the small-x digits.
fn expm1_over_x(x: f32) -> f32 {
  var q = 1.0 / 3628800.0; // 1/10!
  var f = 3628800.0;
  for (var k = 10.0; k > 1.0; k -= 1.0) {
    f /= k; // f = (k − 1)!
    q = q * x + 1.0 / f;
  }
  return q;
}

@compute @workgroup_size(WG)
fn bce_wsum(@builtin(local_invocation_index) lid: u32) {
  var acc = 0.0;
  for (var i = lid; i < p.N; i += WG) {
    acc += weights[i];
  }
  let s = tree_sum4(lid, vec4<f32>(acc, 0.0, 0.0, 0.0));
  if (lid == 0u) {
    wsum[0] = s.x;
  }
}

@compute @workgroup_size(WG)
fn bce(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = gid.x + gid.y * (groups.x * WG);
  if (i >= p.N) {
    return;
  }
  let x = logits_or_metrics[i];
  let y = labels[i];
  // One exp for σ(x) and σ(−x), each computed on the side where it cannot overflow.
  let e = exp(-abs(x));
  let big = 1.0 / (1.0 + e); // σ(|x|) ∈ [½, 1]
  let small = e / (1.0 + e); // σ(−|x|) ∈ (0, ½], full relative precision in the tail
  let sig_pos = select(small, big, x >= 0.0); // σ(x)
  let sig_neg = select(big, small, x >= 0.0); // σ(−x) = 1 − σ(x), without the cancellation
  probs[i] = sig_pos;
  losses[i] = max(x, 0.0) - x * y + log1p(e);

  // Backward, fused: differentiates  losses[i] = max(x,0) − x·y + log1p(exp(−|x|))  inside
  // scale · Σ w·loss / Σw:  dx = scale·w/Σw · (σ(x) − y).  σ(x) − y is written as
  // (1 − y)·σ(x) − y·σ(−x), which is the same for any y but keeps the tail exact for y ∈ {0, 1}
  // (σ(30) − 1 would round to 0 in f32). It overwrites the logits: nothing else writes dlogits.
  let ws = wsum[0];
  var g = 0.0;
  if (ws != 0.0) {
    g = p.scale * weights[i] / ws;
  }
  logits_or_metrics[i] = g * ((1.0 - y) * sig_pos - y * sig_neg);
}

// The logit x of token i, recovered from its loss: loss = softplus(−x) for y = 1 and softplus(x)
// for y = 0, so |x| = softplus⁻¹(loss) = log(expm1(loss)) with the sign from the label. The loss
// keeps x to full f32 relative precision in both tails, whereas probs near 1 are spaced 2⁻²⁴
// apart (a logit step wider than a bin above |x| ≈ 12). Labels must be exactly 0 or 1.
fn score(i: u32) -> f32 {
  let l = losses[i];
  var z: f32;
  if (l > 1.0) {
    z = l + log1p(-exp(-l)); // log(e^l − 1) without overflow
  } else {
    // log(l) keeps its relative accuracy for small l; l = 0 (|x| past f32's exp range) → −69.
    z = log(max(l, 1e-30)) + log(expm1_over_x(l));
  }
  return select(z, -z, labels[i] > 0.5);
}

// Histogram bin of a score: BINS equal bins over [−SCORE_MAX, SCORE_MAX] (width 32/2048 = 1/64
// at the defaults); min() also keeps a NaN score in range.
fn bin_of(s: f32) -> u32 {
  let t = (clamp(s, -SCORE_MAX, SCORE_MAX) + SCORE_MAX) * (f32(BINS) / (2.0 * SCORE_MAX));
  return min(u32(t), BINS - 1u);
}

// One workgroup. AUC = P(score_pos > score_neg) + ½·P(tie) over tokens with w > 0, unweighted,
// from a histogram of the negatives' scores (integer atomics: counts do not depend on order):
//   AUC = Σ_pos (negBelow[bin] + ½·neg[bin]) / (P·N)  — pairs within one bin count half.
@compute @workgroup_size(WG)
fn bce_metrics(@builtin(local_invocation_index) lid: u32) {
  for (var b = lid; b < BINS; b += WG) {
    atomicStore(&hist[b], 0u);
  }
  workgroupBarrier();

  var a = vec4<f32>(0.0); // Σw·loss, Σw, Σw·correct, Σw·y
  var c = vec4<f32>(0.0); // Σw·y·pred, Σw·pred, #positives, #negatives (w > 0)
  for (var i = lid; i < p.N; i += WG) {
    let w = weights[i];
    let y = labels[i];
    let pred = select(0.0, 1.0, probs[i] >= 0.5);
    let correct = select(1.0 - pred, pred, y > 0.5);
    a += vec4<f32>(w * losses[i], w, w * correct, w * y);
    c += vec4<f32>(w * y * pred, w * pred, 0.0, 0.0);
    if (w > 0.0) {
      if (y > 0.5) {
        c.z += 1.0;
      } else {
        c.w += 1.0;
        atomicAdd(&hist[bin_of(score(i))], 1u);
      }
    }
  }
  let sa = tree_sum4(lid, a); // its barriers also publish the histogram
  let sc = tree_sum4(lid, c);

  // Turn hist[b] into 2·negBelow[b] + neg[b] (an integer: twice the AUC credit of a positive in
  // bin b). Thread lid owns bins [lid·BPT, (lid+1)·BPT); an inclusive scan of the block totals
  // across threads gives each block its offset. u32 sums are exact, so any order would do.
  let BPT = BINS / WG;
  let first = lid * BPT;
  var tot = 0u;
  for (var k = 0u; k < BPT; k++) {
    tot += atomicLoad(&hist[first + k]);
  }
  scan[lid] = tot;
  workgroupBarrier();
  for (var off = 1u; off < WG; off *= 2u) {
    var v = scan[lid];
    if (lid >= off) {
      v += scan[lid - off];
    }
    workgroupBarrier();
    scan[lid] = v;
    workgroupBarrier();
  }
  var below = scan[lid] - tot;
  for (var k = 0u; k < BPT; k++) {
    let n = atomicLoad(&hist[first + k]);
    atomicStore(&hist[first + k], 2u * below + n);
    below += n;
  }
  workgroupBarrier();

  // Each positive adds its bin's credit. Per-thread sums of integers ≤ 2N stay exact in f32
  // while 2·P·N < 2²⁴ (N ≤ 4096 always is); beyond, the fixed order still makes them reproducible.
  var credit = 0.0;
  for (var i = lid; i < p.N; i += WG) {
    if (weights[i] > 0.0 && labels[i] > 0.5) {
      credit += f32(atomicLoad(&hist[bin_of(score(i))]));
    }
  }
  let cr = tree_sum4(lid, vec4<f32>(credit, 0.0, 0.0, 0.0)).x;

  if (lid == 0u) {
    let ws = sa.y;
    var inv = 0.0;
    if (ws != 0.0) {
      inv = 1.0 / ws;
    }
    var prec = 0.0;
    if (sc.y != 0.0) {
      prec = sc.x / sc.y;
    }
    var recall = 0.0;
    if (sa.w != 0.0) {
      recall = sc.x / sa.w;
    }
    var auc = 0.5; // undefined without both classes
    if (sc.z > 0.0 && sc.w > 0.0) {
      auc = cr / (2.0 * sc.z * sc.w);
    }
    logits_or_metrics[0] = sa.x * inv;
    logits_or_metrics[1] = sa.z * inv;
    logits_or_metrics[2] = prec;
    logits_or_metrics[3] = recall;
    logits_or_metrics[4] = auc;
    logits_or_metrics[5] = ws;
    logits_or_metrics[6] = sa.w;
    logits_or_metrics[7] = 0.0;
  }
}
