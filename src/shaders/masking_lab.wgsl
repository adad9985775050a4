// Masking-lab selection kernels, one entry point per SelectionKind (spans: masking_lab_spans.wgsl),
// bit-identical to src/masking/selection-kinds.ts. One invocation per sequence walks its row
// with sequential, bounded loops (no barriers, no private arrays: SwiftShader pays for both);
// per-row state lives in the row's slices of `scratch` (inputs) and `marks` (record).
//   lab_shuffle   units in ascending (hash4(seed, step, b, unit), unit); take each that fits.
//   lab_weighted  n draws without replacement, r = h % remaining weight.
//   lab_scores    the n smallest sort keys (attention scores, or hashes on fallback rows);
//                 hint mode reveals some of the top 10%.
//   lab_bernoulli each token with probability (1−ε)·t_b (diffusion), up to the cap.
// Decisions compare integers only. Not here: corruption and slots (masking_lab_write.wgsl).
//!include masking_lab_select.wgsl

@compute @workgroup_size(WG)
fn lab_shuffle(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let b = seq_of(gid, groups, WG);
  if (b >= p.B) {
    return;
  }
  let o = b * p.T;
  // Each unit's score (scratch) and size (marks) at its first position.
  var start = 0u;
  var prev = NO_UNIT;
  for (var t = 0u; t < p.T; t++) {
    let u = unit_at(o + t);
    marks[o + t] = 0u;
    if (u != NO_UNIT && u != prev) {
      start = t;
      scratch[o + t] = hash4(p.seed, p.step, b, u);
    }
    if (u != NO_UNIT) {
      marks[o + start] += 1u;
    }
    prev = u;
  }
  // Visit units in ascending (score, unit): each pass finds the successor of the previous one,
  // so no sort buffer is needed. A unit that does not fit is skipped (BERT whole-word masking).
  var remaining = budget_entry(row_length(o)) & 0xffffu;
  var have_prev = false;
  var ps = 0u;
  var pu = 0u;
  for (var visit = 0u; visit < p.T && remaining > 0u; visit++) {
    var found = false;
    var bs = 0u;
    var bu = 0u;
    var bt = 0u;
    prev = NO_UNIT;
    for (var t = 0u; t < p.T; t++) {
      let u = unit_at(o + t);
      let first = u != NO_UNIT && u != prev;
      prev = u;
      if (!first) {
        continue;
      }
      let s = scratch[o + t];
      let after = !have_prev || s > ps || (s == ps && u > pu);
      let better = !found || s < bs || (s == bs && u < bu);
      if (after && better) {
        found = true;
        bs = s;
        bu = u;
        bt = t;
      }
    }
    if (!found) {
      break;
    }
    have_prev = true;
    ps = bs;
    pu = bu;
    let size = marks[o + bt] & 0xffffu;
    if (size <= remaining) {
      marks[o + bt] |= 0x10000u;
      remaining -= size;
    }
  }
  // Expand "chosen" from each unit's first position to all of its positions.
  var chosen = false;
  prev = NO_UNIT;
  for (var t = 0u; t < p.T; t++) {
    let u = unit_at(o + t);
    if (u != NO_UNIT && u != prev) {
      chosen = (marks[o + t] & 0x10000u) != 0u;
    }
    prev = u;
    marks[o + t] = select(0u, 1u | (u << 8u), u != NO_UNIT && chosen);
  }
}

@compute @workgroup_size(WG)
fn lab_weighted(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let b = seq_of(gid, groups, WG);
  if (b >= p.B) {
    return;
  }
  let o = b * p.T;
  var wrem = 0u;
  for (var t = 0u; t < p.T; t++) {
    marks[o + t] = 0u;
    if (unit_at(o + t) != NO_UNIT) {
      wrem += aux[o + t];
    }
  }
  let n = budget_entry(row_length(o)) & 0xffffu;
  for (var k = 0u; k < n && wrem > 0u; k++) {
    var r = hash4(p.seed ^ SALT_WEIGHTED, p.step, b, k) % wrem;
    for (var t = 0u; t < p.T; t++) {
      if (unit_at(o + t) == NO_UNIT || marks[o + t] != 0u) {
        continue;
      }
      let w = aux[o + t];
      if (r < w) {
        mark(o, t);
        wrem -= w;
        break;
      }
      r -= w;
    }
  }
}

// u32 order = f32 order (sign-flip trick); complemented when the highest scores go first.
fn score_key(bits: u32, descending: bool) -> u32 {
  let k = select(bits | 0x80000000u, ~bits, (bits & 0x80000000u) != 0u);
  return select(k, ~k, descending);
}

@compute @workgroup_size(WG)
fn lab_scores(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let b = seq_of(gid, groups, WG);
  if (b >= p.B) {
    return;
  }
  let o = b * p.T;
  let fallback = attention_fallback(p.seed, p.step, b, p.force_random, p.thr_apply);
  var C = 0u;
  for (var t = 0u; t < p.T; t++) {
    marks[o + t] = 0u;
    if (unit_at(o + t) == NO_UNIT) {
      continue;
    }
    C++;
    if (fallback) {
      scratch[o + t] = hash4(p.seed, p.step, b, t);
    } else {
      scratch[o + t] = score_key(aux[o + t], p.mode != MODE_LOW);
    }
  }
  let entry = budget_entry(row_length(o));
  let n = min(entry & 0xffffu, C);
  // Rank r = the r-th smallest (key, t), found as the successor of rank r−1.
  var pk = 0u;
  var pt = 0u;
  for (var r = 0u; r < n; r++) {
    var found = false;
    var bk = 0u;
    var bt = 0u;
    for (var t = 0u; t < p.T; t++) {
      if (unit_at(o + t) == NO_UNIT) {
        continue;
      }
      let k = scratch[o + t];
      let after = r == 0u || k > pk || (k == pk && t > pt);
      let better = !found || k < bk;
      if (after && better) {
        found = true;
        bk = k;
        bt = t;
      }
    }
    pk = bk;
    pt = bt;
    marks[o + bt] = 0x80000000u | r;
  }
  if (!fallback && p.mode == MODE_HINT) {
    // Reveal min(⌊showMax·r·L⌋, top) positions drawn without replacement from the top ranks.
    let top = min(n, C / 10u);
    let h = min(entry >> 16u, top);
    for (var k = 0u; k < h; k++) {
      var j = hash4(p.seed ^ SALT_HINT, p.step, b, k) % (top - k);
      for (var t = 0u; t < p.T; t++) {
        let m = marks[o + t];
        if ((m & 0x80000000u) == 0u || (m & 0xffffu) >= top) {
          continue;
        }
        if (j == 0u) {
          marks[o + t] = 0u;
          break;
        }
        j--;
      }
    }
  }
  for (var t = 0u; t < p.T; t++) {
    if ((marks[o + t] & 0x80000000u) != 0u) {
      mark(o, t);
    }
  }
}

@compute @workgroup_size(WG)
fn lab_bernoulli(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let b = seq_of(gid, groups, WG);
  if (b >= p.B) {
    return;
  }
  let o = b * p.T;
  let n = budget_entry(row_length(o)) & 0xffffu;
  let tq = diffusion_tq(p.seed, p.step, b, p.B, p.eps24);
  let p24 = mulhi24(ONE24 - p.eps24, tq);
  var masked = 0u;
  for (var t = 0u; t < p.T; t++) {
    marks[o + t] = 0u;
    if (unit_at(o + t) == NO_UNIT || masked >= n) {
      continue;
    }
    if ((hash4(p.seed ^ SALT_BERN, p.step, b, t) >> 8u) < p24) {
      mark(o, t);
      masked++;
    }
  }
}
