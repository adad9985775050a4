// Bindings and row helpers of the masking-lab selection kernels (masking_lab.wgsl,
// masking_lab_spans.wgsl): one invocation per sequence marks its chosen positions in `marks`
// (the record tensor) as 1 | unit << 8, 0 elsewhere; the writer (masking_lab_write.wgsl) then
// corrupts, fills the slots and rewrites the record. Include, do not compile alone.
//!include masking_lab_common.wgsl

@group(0) @binding(0) var<storage, read_write> tokens: array<u32>;  // (B,T) original ids
@group(0) @binding(1) var<storage, read_write> units: array<u32>;   // (B,T) unit | class << 16
@group(0) @binding(2) var<storage, read_write> aux: array<u32>;     // (B,T) weights, or f32 score bits
@group(0) @binding(3) var<storage, read_write> scratch: array<u32>; // (B,T) the inputs tensor: sort keys until the writer fills it
@group(0) @binding(4) var<storage, read_write> marks: array<u32>;   // (B,T) the record tensor
@group(0) @binding(5) var<uniform> p: LabParams;
// Per L = 0..512: budget in bits 0–15 (attention hint: reveal count in bits 16+), from labStep().
@group(0) @binding(6) var<uniform> budget: array<vec4<u32>, 129>;

override WG: u32 = 64;

fn unit_at(i: u32) -> u32 {
  return units[i] & 0xffffu;
}

fn budget_entry(L: u32) -> u32 {
  return budget[L / 4u][L % 4u];
}

fn len_cdf_at(k: u32) -> u32 {
  return p.len_cdf[k / 4u][k % 4u];
}

// Non-[PAD] tokens of the row ([CLS] and [SEP] included): the L of the budget rule.
fn row_length(o: u32) -> u32 {
  var L = 0u;
  for (var t = 0u; t < p.T; t++) {
    if (tokens[o + t] != PAD) {
      L++;
    }
  }
  return L;
}

// Marks position t of the row at o as chosen.
fn mark(o: u32, t: u32) {
  marks[o + t] = 1u | (unit_at(o + t) << 8u);
}

// First position after the unit that covers position t.
fn unit_end(o: u32, t: u32) -> u32 {
  let u = unit_at(o + t);
  var e = t + 1u;
  while (e < p.T && unit_at(o + e) == u) {
    e++;
  }
  return e;
}
