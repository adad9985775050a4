enable subgroups;
// The reductions are subgroup-uniform, not workgroup-uniform: each subgroup owns whole rows.
diagnostic(off, subgroup_uniformity);
// crossentropy (see crossentropy.wgsl: the same outputs and the gradient in place) with subgroup
// reductions (issue [M]), for adapters with the `subgroups` feature, chosen by the tuner. A
// workgroup takes RPG rows; each subgroup takes rows sid, sid + nsub, … of them, its lanes striding
// over V: max, then the lowest index holding it, Σexp and Σweights by subgroupMax / subgroupMin /
// subgroupAdd. No workgroup memory, no barrier.
// Assumes a subgroup is a run of consecutive local_invocation_index values (what every
// implementation does for a 1-D workgroup; WGSL does not promise it): where it is not, the
// results are wrong and the tuner's check rejects this variant. The sums' order depends on the
// subgroup size, so results are reproducible per device, not bit-equal to crossentropy.wgsl's.

//!include crossentropy_io.wgsl
//!include subgroup_rows.wgsl

override WG: u32 = 64; // threads per workgroup; a multiple of the subgroup size
override RPG: u32 = 16; // rows per workgroup

const LOWEST = -3.4028234e38; // a lane with no logits of the row offers this to the max
const NONE = 0xffffffffu;

fn row_loss(row: u32, lane: u32, sg: u32) {
  let V = p.V;
  let base = row * V;
  let t = targets[row];
  // Every lane reads it before the reductions below, which no lane passes before all arrive;
  // the row is overwritten with the gradient only after them. Targets must be < V.
  let tl = logits_or_metrics[base + min(t, V - 1u)];
  var best = LOWEST;
  var best_i = NONE;
  for (var j = lane; j < V; j += sg) {
    let v = logits_or_metrics[base + j];
    if (v > best || best_i == NONE) {
      best = v;
      best_i = j;
    }
  }
  let mx = subgroupMax(best);
  let amax = subgroupMin(select(NONE, best_i, best == mx && best_i != NONE));
  var acc = 0.0;
  for (var j = lane; j < V; j += sg) {
    acc += exp(logits_or_metrics[base + j] - mx);
  }
  let sumexp = subgroupAdd(acc);
  var wacc = 0.0;
  for (var r = lane; r < p.M; r += sg) {
    wacc += weights[r];
  }
  let wsum = subgroupAdd(wacc);
  if (lane == 0u) {
    losses[row] = (mx - tl) + log(sumexp);
    correct[row] = select(0.0, 1.0, amax == t);
  }
  var scale = 0.0;
  if (wsum != 0.0) {
    scale = weights[row] / wsum;
  }
  let inv = 1.0 / sumexp;
  for (var j = lane; j < V; j += sg) {
    let sm = exp(logits_or_metrics[base + j] - mx) * inv;
    logits_or_metrics[base + j] = (sm - select(0.0, 1.0, j == t)) * scale;
  }
}

@compute @workgroup_size(WG)
fn crossentropy_subgroup(ids: SubgroupIds) {
  let r0 = group_index(ids) * RPG;
  for (var k = ids.lid / ids.sg; k < RPG && r0 + k < p.M; k += WG / ids.sg) {
    row_loss(r0 + k, ids.lane, ids.sg);
  }
}
