// Params and bindings shared by gradnorm.wgsl (tree reductions) and gradnorm_subgroup.wgsl, so
// the launcher binds both variants alike. Included with `//!include gradnorm_io.wgsl`.

struct Params {
  n: u32,       // elements in `inp` for this pass: N for sumsq, G for gradnorm_finish
  max_norm: f32,
}

@group(0) @binding(0) var<storage, read_write> inp: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<uniform> p: Params;

// gradnorm (4) = [‖g‖₂, clipScale, 0, 0] from Σ g², as gradnorm_finish leaves it.
fn write_norm(sumsq: f32) {
  let norm = sqrt(sumsq);
  var scale = 1.0;
  if (p.max_norm > 0.0) {
    scale = min(1.0, p.max_norm / (norm + 1e-6));
  }
  out[0] = norm;
  out[1] = scale;
  out[2] = 0.0;
  out[3] = 0.0;
}
