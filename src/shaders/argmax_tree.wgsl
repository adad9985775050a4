// Included (//!include argmax_tree.wgsl): the lowest-index maximum over a workgroup, as a
// fixed-shape tree, so the answer never depends on scheduling. It declares the workgroup size
// override WG and the workgroup arrays red (f32) and arg (u32), which the includer may reuse.
// Each thread brings its own best (v, i), i = 0xffffffff for "none"; every thread gets the
// winning (value, index) back (index 0xffffffff when no thread had a candidate).

override WG: u32 = 256; // a power of two

var<workgroup> red: array<f32, WG>;
var<workgroup> arg: array<u32, WG>;

struct ArgMax {
  v: f32,
  i: u32,
}

fn tree_argmax(lid: u32, v: f32, i: u32) -> ArgMax {
  red[lid] = v;
  arg[lid] = i;
  workgroupBarrier();
  for (var half = WG / 2u; half > 0u; half /= 2u) {
    if (lid < half) {
      let ov = red[lid + half];
      let oi = arg[lid + half];
      let mi = arg[lid];
      if (oi != 0xffffffffu && (mi == 0xffffffffu || ov > red[lid] || (ov == red[lid] && oi < mi))) {
        red[lid] = ov;
        arg[lid] = oi;
      }
    }
    workgroupBarrier();
  }
  let r = ArgMax(red[0], arg[0]);
  workgroupBarrier(); // red and arg are reused by the next reduction
  return r;
}
