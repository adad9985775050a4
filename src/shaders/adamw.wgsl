// Fused AdamW (decoupled weight decay, PyTorch semantics) over whole pools in one dispatch:
//   params (N), grads (N), m (N), v (N), gradnorm (4) → params, m, v updated in place, where
//   g = grad·clipScale (gradnorm[1], from gradnorm.wgsl)
//   m = β1·m + (1−β1)·g;  v = β2·v + (1−β2)·g²
//   p ← p − lr·( (m/bc1) / (sqrt(v/bc2) + eps) + wd·p ),  wd = 0 for i ≥ decay_end
// Element i of every pool is the same parameter (arena.poolRange), so one thread per element.
// bc1 = 1−β1^t, bc2 = 1−β2^t, 1−β1 and 1−β2 come in from the CPU, computed in float64: f32
// 1.0 − β2 with β2 = 0.999 rounded to f32 first is off by 1.3e-5 relative (cancellation), which
// PyTorch, whose Python-float hyperparameters are float64, does not suffer either. Not here: the norm itself, zeroing grads, or the learning-rate schedule.

struct Params {
  n: u32,
  decay_end: u32,
  beta1: f32,
  beta2: f32,
  eps: f32,
  weight_decay: f32,
  lr: f32,
  bc1: f32,
  bc2: f32,
  one_minus_beta1: f32,
  one_minus_beta2: f32,
}

@group(0) @binding(0) var<storage, read_write> params: array<f32>;
@group(0) @binding(1) var<storage, read_write> grads: array<f32>;
@group(0) @binding(2) var<storage, read_write> m: array<f32>;
@group(0) @binding(3) var<storage, read_write> v: array<f32>;
@group(0) @binding(4) var<storage, read_write> gradnorm: array<f32>; // (4): [‖g‖, clipScale, 0, 0]
@group(0) @binding(5) var<uniform> p: Params;

override WG: u32 = 256;

@compute @workgroup_size(WG)
fn adamw(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = gid.x + gid.y * groups.x * WG;
  if (i >= p.n) {
    return;
  }
  let g = grads[i] * gradnorm[1];
  let mi = p.beta1 * m[i] + p.one_minus_beta1 * g;
  let vi = p.beta2 * v[i] + p.one_minus_beta2 * g * g;
  m[i] = mi;
  v[i] = vi;
  let w = params[i];
  // LayerNorm weights and biases are laid out after decay_end and are not decayed (BERT/ELECTRA).
  let wd = select(0.0, p.weight_decay, i < p.decay_end);
  params[i] = w - p.lr * ((mi / p.bc1) / (sqrt(vi / p.bc2) + p.eps) + wd * w);
}
