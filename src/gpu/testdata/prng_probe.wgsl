// Writes hash4 / to_unit of given coordinates so the test can compare them with src/data/prng.ts.
//!include prng.wgsl

@group(0) @binding(0) var<storage, read_write> coords: array<vec4<u32>>;
@group(0) @binding(1) var<storage, read_write> hashes: array<u32>;
@group(0) @binding(2) var<storage, read_write> units: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  if (i >= arrayLength(&hashes)) {
    return;
  }
  let c = coords[i];
  let h = hash4(c.x, c.y, c.z, c.w);
  hashes[i] = h;
  units[i] = to_unit(h);
}
