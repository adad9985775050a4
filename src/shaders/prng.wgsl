// Counter-based PRNG shared with src/data/prng.ts (bit-identical): no state, every random number
// is a hash of its coordinates, e.g. (seed, step, sequence, position) for masking. Include with
// `//!include prng.wgsl`. mix32 is Wellons' "lowbias32" integer hash.

fn mix32(v: u32) -> u32 {
  var x = v;
  x ^= x >> 16u;
  x *= 0x7feb352du;
  x ^= x >> 15u;
  x *= 0x846ca68bu;
  x ^= x >> 16u;
  return x;
}

// Hash of four coordinates; each is folded in with a distinct odd constant so (a,b) ≠ (b,a).
fn hash4(a: u32, b: u32, c: u32, d: u32) -> u32 {
  var h = mix32(a ^ 0x9e3779b9u);
  h = mix32(h ^ b ^ 0x85ebca6bu);
  h = mix32(h ^ c ^ 0xc2b2ae35u);
  h = mix32(h ^ d ^ 0x27d4eb2fu);
  return h;
}

// Uniform in [0, 1) with 24 bits, exact in f32 (and in the f64 of the CPU twin).
fn to_unit(h: u32) -> f32 {
  return f32(h >> 8u) * (1.0 / 16777216.0);
}
