// Softmax cross-entropy of the MLM head, fused with its gradient, plus the metrics the loop reads.
//   crossentropy: logits (M,V), targets (M) u32, weights (M) →
//       losses (M) = −log softmax(logits)[target], correct (M) = argmax == target (ties: lowest index),
//       logits ← dlogits = (softmax − onehot(target)) · weight / Σweights   (in place)
//   mlm_metrics:  losses, correct, weights (M) → metrics (4) = [Σw·loss/Σw, Σw·correct/Σw, Σw, 0]
//   crossentropy_rows: as crossentropy for many short rows (the probes' classes, V ≲ 64): one
//       thread per row, and the normaliser 1/Σweights comes in the uniform (inv_wsum), for callers
//       whose weights are fixed (the probe's are all 1).
// One workgroup per row: strided passes for max/argmax and Σexp, each finished by a fixed-shape
// tree in workgroup memory, so every sum has one order and results are bit-reproducible.
// Not here: the decoder matmul that makes the logits, or any averaging over steps; the subgroup
// variant of crossentropy (crossentropy_subgroup.wgsl).

//!include argmax_tree.wgsl

//!include crossentropy_io.wgsl

var<workgroup> target_logit: f32;

//!include tree_sum.wgsl

@compute @workgroup_size(WG)
fn crossentropy(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let row = wid.x + wid.y * groups.x;
  if (row >= p.M) {
    return; // uniform per workgroup, so no barrier is skipped by part of a group
  }
  let base = row * p.V;
  let t = targets[row];
  if (lid == 0u) {
    // Read before any thread overwrites its slice of the row with the gradient. Targets must be
    // < V; min() only keeps a bad one from reading past the row.
    target_logit = logits_or_metrics[base + min(t, p.V - 1u)];
  }

  // Max and argmax together; a thread scans its indices in increasing order and keeps the first
  // maximum, and the tree prefers the lower index on ties, so the answer is the lowest argmax.
  var best = 0.0; // replaced by the first value seen (best_i is the "none yet" flag)
  var best_i = 0xffffffffu;
  for (var j = lid; j < p.V; j += WG) {
    let v = logits_or_metrics[base + j];
    if (v > best || best_i == 0xffffffffu) {
      best = v;
      best_i = j;
    }
  }
  let win = tree_argmax(lid, best, best_i);
  let mx = win.v;
  let amax = win.i;

  // Σ exp(l − max): every term ≤ 1 and the max's term is 1, so no overflow and sum ≥ 1.
  var acc = 0.0;
  for (var j = lid; j < p.V; j += WG) {
    acc += exp(logits_or_metrics[base + j] - mx);
  }
  let sumexp = tree_sum(lid, acc);

  // Σweights over all M rows: each workgroup recomputes it in the same order (M is small next to
  // V), which keeps this one dispatch and gives every row the bit-identical normaliser.
  var wacc = 0.0;
  for (var r = lid; r < p.M; r += WG) {
    wacc += weights[r];
  }
  let wsum = tree_sum(lid, wacc);

  if (lid == 0u) {
    losses[row] = (mx - target_logit) + log(sumexp);
    correct[row] = select(0.0, 1.0, amax == t);
  }

  // Backward, fused: differentiates  losses[row] = (mx - target_logit) + log(sumexp)  inside the
  // weighted mean Σ w·loss / Σw:  dl_j = w/Σw · (softmax_j − [j == target]).  Σw = 0: nothing to learn.
  // It overwrites the logits (no accumulate): nothing else writes dlogits, and it saves an (M,V) buffer.
  var scale = 0.0;
  if (wsum != 0.0) {
    scale = weights[row] / wsum;
  }
  let inv = 1.0 / sumexp;
  for (var j = lid; j < p.V; j += WG) {
    let sm = exp(logits_or_metrics[base + j] - mx) * inv;
    logits_or_metrics[base + j] = (sm - select(0.0, 1.0, j == t)) * scale;
  }
}

@compute @workgroup_size(WG)
fn mlm_metrics(@builtin(local_invocation_index) lid: u32) {
  var l = 0.0;
  var c = 0.0;
  var w = 0.0;
  for (var r = lid; r < p.M; r += WG) {
    let wr = weights[r];
    l += wr * losses[r];
    c += wr * correct[r];
    w += wr;
  }
  let ls = tree_sum(lid, l);
  let cs = tree_sum(lid, c);
  let ws = tree_sum(lid, w);
  if (lid == 0u) {
    var inv = 0.0;
    if (ws != 0.0) {
      inv = 1.0 / ws;
    }
    logits_or_metrics[0] = ls * inv;
    logits_or_metrics[1] = cs * inv;
    logits_or_metrics[2] = ws;
    logits_or_metrics[3] = 0.0;
  }
}

// One thread per row, the same arithmetic in the same order as a single-thread workgroup of
// crossentropy: max/argmax (lowest index on ties), Σexp, loss, then the gradient in place.
@compute @workgroup_size(WG)
fn crossentropy_rows(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let row = gid.x + gid.y * groups.x * WG;
  if (row >= p.M) {
    return;
  }
  let base = row * p.V;
  let t = targets[row];
  let tl = logits_or_metrics[base + min(t, p.V - 1u)];
  var mx = logits_or_metrics[base];
  var amax = 0u;
  for (var j = 1u; j < p.V; j++) {
    let v = logits_or_metrics[base + j];
    if (v > mx) {
      mx = v;
      amax = j;
    }
  }
  var sumexp = 0.0;
  for (var j = 0u; j < p.V; j++) {
    sumexp += exp(logits_or_metrics[base + j] - mx);
  }
  losses[row] = (mx - tl) + log(sumexp);
  correct[row] = select(0.0, 1.0, amax == t);
  // Differentiates the weighted mean of the loss above, as crossentropy does.
  let scale = weights[row] * p.inv_wsum;
  let inv = 1.0 / sumexp;
  for (var j = 0u; j < p.V; j++) {
    let sm = exp(logits_or_metrics[base + j] - mx) * inv;
    logits_or_metrics[base + j] = (sm - select(0.0, 1.0, j == t)) * scale;
  }
}
