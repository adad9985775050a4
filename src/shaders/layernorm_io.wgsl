// Params and bindings shared by layernorm.wgsl (tiled) and layernorm_simple.wgsl (barrier-free),
// so the launcher binds both variants alike. Included with `//!include layernorm_io.wgsl`.
// WGSL lets entry points that never meet share a binding number: the forward and backward
// entry points reuse slots.

struct Params {
  R: u32,
  C: u32,
  eps: f32,
  rows_per_group: u32, // tiled backward: rows one workgroup walks (its partial row in the scratch)
}

// Forward: inp (R,C), weight (C), bias (C) → out (R,C), mean (R), rstd (R); the residual entry
// points also read ra, rb (R,C).
@group(0) @binding(0) var<storage, read_write> inp: array<f32>;
@group(0) @binding(1) var<storage, read_write> weight: array<f32>;
@group(0) @binding(2) var<storage, read_write> bias: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
@group(0) @binding(4) var<storage, read_write> mean: array<f32>;
@group(0) @binding(5) var<storage, read_write> rstd: array<f32>;
@group(0) @binding(6) var<uniform> p: Params;
@group(0) @binding(7) var<storage, read_write> ra: array<f32>;
@group(0) @binding(8) var<storage, read_write> rb: array<f32>;

// Backward: inp (0) and weight (1) as above; each variant binds its own 6 and 7.
@group(0) @binding(2) var<storage, read_write> b_mean: array<f32>;
@group(0) @binding(3) var<storage, read_write> b_rstd: array<f32>;
@group(0) @binding(4) var<storage, read_write> dout: array<f32>;
@group(0) @binding(5) var<storage, read_write> dinp: array<f32>;
@group(0) @binding(8) var<uniform> bp: Params;
