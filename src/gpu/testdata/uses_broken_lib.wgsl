// Includes a library file that has an error, for the line-mapping test.
//!include broken_lib.wgsl

@group(0) @binding(0) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  out[gid.x] = helper(1.0);
}
