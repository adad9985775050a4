// A shader with one deliberate error, for the compile-error test: line 7 uses an undeclared name.
@group(0) @binding(0) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  out[i] = undeclared_value * 2.0;
}
