// Masking-lab selection for the spans kind (span, n-gram, entity), bit-identical to selectSpans in
// src/masking/selection-kinds.ts. One invocation per sequence; draws k = 0, 1, … < max_draws until
// the budget is met:
//   lengths mode (SpanBERT masking.py): a length ℓ from the cumulative u24 table, an anchor among
//     the maskable positions (already masked = a wasted draw, as SpanBERT redraws), snap to the
//     anchor's unit start, then take up to ℓ whole units forward — an already-masked unit is
//     passed over and counts, a unit that does not fit the remaining budget ends the span (units
//     are never split), the row end or an unmaskable position ends it too. When the anchor's own
//     unit does not fit and no unmasked unit fits any more, the row is done.
//   entity mode: with probability entityProb an unmasked proper-noun run that fits, else an
//     unmasked noun/verb word that fits (pool fallbacks as in pickEntity); one unit per draw.
// Not here: corruption and slots (masking_lab_write.wgsl).
//!include masking_lab_select.wgsl

// Position of the a-th maskable position of the row (a < maskable count).
fn nth_maskable(o: u32, a: u32) -> u32 {
  var left = a;
  for (var t = 0u; t < p.T; t++) {
    if (unit_at(o + t) != NO_UNIT) {
      if (left == 0u) {
        return t;
      }
      left--;
    }
  }
  return 0u;
}

// Whether some unmasked unit still fits `rem` tokens.
fn any_fits(o: u32, rem: u32) -> bool {
  var t = 0u;
  while (t < p.T) {
    if (unit_at(o + t) == NO_UNIT) {
      t++;
      continue;
    }
    let e = unit_end(o, t);
    if (marks[o + t] == 0u && e - t <= rem) {
      return true;
    }
    t = e;
  }
  return false;
}

// Is the unmasked unit [t, e) a candidate of the pool (entity runs or words) for `rem` tokens?
fn in_pool(o: u32, t: u32, e: u32, rem: u32, entity: bool) -> bool {
  return marks[o + t] == 0u && e - t <= rem && ((units[o + t] & CLASS_ENTITY) != 0u) == entity;
}

// Entity draw k; returns the tokens masked (0: nothing fits, the row is done).
fn pick_entity(b: u32, o: u32, k: u32, rem: u32) -> u32 {
  var ne = 0u;
  var nw = 0u;
  var t = 0u;
  while (t < p.T) {
    if (unit_at(o + t) == NO_UNIT) {
      t++;
      continue;
    }
    let e = unit_end(o, t);
    if (in_pool(o, t, e, rem, true)) {
      ne++;
    } else if (in_pool(o, t, e, rem, false)) {
      nw++;
    }
    t = e;
  }
  let want_entity = (hash4(p.seed ^ SALT_ENTITY, p.step, b, k) >> 8u) < p.thr_entity;
  var use_entity = nw == 0u && p.thr_entity > 0u;
  if (want_entity) {
    use_entity = ne > 0u;
  }
  let count = select(nw, ne, use_entity);
  if (count == 0u) {
    return 0u;
  }
  var j = hash4(p.seed ^ SALT_PICK, p.step, b, k) % count;
  t = 0u;
  while (t < p.T) {
    if (unit_at(o + t) == NO_UNIT) {
      t++;
      continue;
    }
    let e = unit_end(o, t);
    if (in_pool(o, t, e, rem, use_entity)) {
      if (j == 0u) {
        for (var q = t; q < e; q++) {
          mark(o, q);
        }
        return e - t;
      }
      j--;
    }
    t = e;
  }
  return 0u;
}

@compute @workgroup_size(WG)
fn lab_spans(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let b = seq_of(gid, groups, WG);
  if (b >= p.B) {
    return;
  }
  let o = b * p.T;
  var C = 0u;
  for (var t = 0u; t < p.T; t++) {
    marks[o + t] = 0u;
    if (unit_at(o + t) != NO_UNIT) {
      C++;
    }
  }
  let n = budget_entry(row_length(o)) & 0xffffu;
  if (C == 0u || n == 0u) {
    return;
  }
  var masked = 0u;
  for (var k = 0u; k < p.max_draws && masked < n; k++) {
    if (p.mode == MODE_ENTITY) {
      let got = pick_entity(b, o, k, n - masked);
      if (got == 0u) {
        break;
      }
      masked += got;
      continue;
    }
    let hl = hash4(p.seed ^ SALT_SPAN_LEN, p.step, b, k) >> 8u;
    var idx = 0u;
    while (idx + 1u < p.len_count && hl >= len_cdf_at(idx)) {
      idx++;
    }
    let want = p.len_min + idx;
    let a = nth_maskable(o, hash4(p.seed ^ SALT_ANCHOR, p.step, b, k) % C);
    if (marks[o + a] != 0u) {
      continue; // anchor already masked: a wasted draw
    }
    var s = a;
    let ua = unit_at(o + a);
    while (s > 0u && unit_at(o + s - 1u) == ua) {
      s--;
    }
    var taken = 0u;
    var pos = s;
    while (taken < want) {
      if (pos >= p.T || unit_at(o + pos) == NO_UNIT) {
        break; // row end
      }
      let e = unit_end(o, pos);
      if (marks[o + pos] == 0u) {
        if (e - pos > n - masked) {
          break; // does not fit: never split a unit
        }
        for (var q = pos; q < e; q++) {
          mark(o, q);
        }
        masked += e - pos;
      }
      taken++;
      pos = e;
    }
    if (taken == 0u && !any_fits(o, n - masked)) {
      break;
    }
  }
}
