// Params and bindings shared by crossentropy.wgsl (tree reductions) and crossentropy_subgroup.wgsl,
// so the launcher binds both variants alike. Included with `//!include crossentropy_io.wgsl`.

struct Params {
  M: u32,
  V: u32,
  inv_wsum: f32, // crossentropy_rows only
}

// Both entry points share one binding list (a resource may appear only once per binding slot),
// so binding 0 is the row-major logits for crossentropy and the 4-float metrics for mlm_metrics.
@group(0) @binding(0) var<storage, read_write> logits_or_metrics: array<f32>; // (M,V) logits in, dlogits out | (4) metrics
@group(0) @binding(1) var<storage, read_write> weights: array<f32>; // (M)
@group(0) @binding(2) var<storage, read_write> losses: array<f32>;  // (M)
@group(0) @binding(3) var<storage, read_write> correct: array<f32>; // (M), 0 or 1 (f32: it is a metric)
@group(0) @binding(4) var<uniform> p: Params;
@group(0) @binding(5) var<storage, read_write> targets: array<u32>; // (M); crossentropy only
