// Standalone elementwise GELU (exact erf form, see gelu_math.wgsl): x (N) → gelu(x) (N), and its
// backward. The matmul's fused epilogue uses the same functions; this file is for GELUs that do
// not follow a matmul, and for the dpre = dout ⊙ gelu'(pre) pass of the matmul backward.
// Flat index = gid.x + gid.y · (groups.x · WG), see grid1d in gpu/op-context.ts.

//!include gelu_math.wgsl

struct Params {
  n: u32,
}

override WG: u32 = 256;
// Backward: true → dinp += dout ⊙ gelu'(inp) (the op convention); false → dinp = … (scratch).
override ACCUMULATE: bool = true;

// Bindings: forward (inp, out, p); backward (inp, dout, dinp, p). Entry points may reuse a
// binding number for different variables as long as no single entry point uses both.
@group(0) @binding(0) var<storage, read_write> inp: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> dout: array<f32>;
@group(0) @binding(2) var<storage, read_write> dinp: array<f32>;
@group(0) @binding(3) var<uniform> pb: Params;

fn flat_index(gid: vec3<u32>, groups: vec3<u32>) -> u32 {
  return gid.x + gid.y * groups.x * WG;
}

// inp (N) → out (N) = gelu(inp)
@compute @workgroup_size(WG)
fn gelu_forward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = flat_index(gid, groups);
  if (i < p.n) {
    out[i] = gelu(inp[i]);
  }
}

// Differentiates `out[i] = gelu(inp[i])`: inp (N), dout (N) → dinp (N) += dout ⊙ gelu'(inp).
@compute @workgroup_size(WG)
fn gelu_backward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = flat_index(gid, groups);
  if (i < pb.n) {
    let d = dout[i] * gelu_grad(inp[i]);
    if (ACCUMULATE) {
      dinp[i] += d;
    } else {
      dinp[i] = d;
    }
  }
}
