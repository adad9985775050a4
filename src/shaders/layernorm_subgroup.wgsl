enable subgroups;
// The reductions are subgroup-uniform, not workgroup-uniform: each subgroup owns whole rows.
diagnostic(off, subgroup_uniformity);
// LayerNorm with subgroup reductions (issue [M]), for adapters with the `subgroups` feature; the
// same maths, params and bindings as layernorm.wgsl (layernorm_io.wgsl), chosen by the tuner.
//   layernorm_forward_subgroup(_residual): a workgroup takes RPG rows; each subgroup normalizes
//       rows sid, sid + nsub, … of them, its lanes striding over C, mean and Σ(x − mean)² by
//       subgroupAdd: no workgroup memory, no barrier.
//   layernorm_backward_subgroup: a workgroup takes the ROWS rows of one block of the tiled
//       kernel's partial layout; subgroups compute each row's two sums by subgroupAdd and write
//       dinp, then threads take columns and sum dout·x̂ and dout over the block's rows into the
//       partials, which layernorm.wgsl's layernorm_backward_params adds up as for 'tiled'.
// Assumes a subgroup is a run of consecutive local_invocation_index values (what every
// implementation does for a 1-D workgroup; WGSL does not promise it): where it is not, the
// results are wrong and the tuner's check rejects this variant.
// The reduction order depends on the subgroup size, so results are reproducible per device, not
// bit-equal to the other variants.

//!include layernorm_io.wgsl
//!include subgroup_rows.wgsl

@group(0) @binding(6) var<storage, read_write> dweight_part: array<f32>;
@group(0) @binding(7) var<storage, read_write> dbias_part: array<f32>;

override WG: u32 = 64; // threads per workgroup; a multiple of the subgroup size
override RPG: u32 = 16; // forward: rows per workgroup
override ROWS: u32 = 16; // backward: rows per block (the tiled kernel's ROWS_PER_GROUP)

// Normalizes one row; lane only touches columns lane, lane + sg, …, so in the residual entry it
// reads back exactly the inp values it stored itself.
fn forward_row(row: u32, lane: u32, sg: u32) {
  let C = p.C;
  let base = row * C;
  var s = 0.0;
  for (var c = lane; c < C; c += sg) {
    s += inp[base + c];
  }
  let m = subgroupAdd(s) / f32(C);
  var v = 0.0;
  for (var c = lane; c < C; c += sg) {
    let d = inp[base + c] - m;
    v += d * d;
  }
  let rs = 1.0 / sqrt(subgroupAdd(v) / f32(C) + p.eps);
  for (var c = lane; c < C; c += sg) {
    out[base + c] = (inp[base + c] - m) * rs * weight[c] + bias[c];
  }
  if (lane == 0u) {
    mean[row] = m;
    rstd[row] = rs;
  }
}

// Row k of this workgroup's RPG for subgroup lid / sg: k = sid, sid + nsub, …; R when none is left.
fn next_row(group: u32, k: u32) -> u32 {
  return select(p.R, group * RPG + k, k < RPG && group * RPG + k < p.R);
}

@compute @workgroup_size(WG)
fn layernorm_forward_subgroup(ids: SubgroupIds) {
  let lid = ids.lid;
  let lane = ids.lane;
  let sg = ids.sg;
  let group = group_index(ids);
  for (var k = lid / sg; next_row(group, k) < p.R; k += WG / sg) {
    forward_row(next_row(group, k), lane, sg);
  }
}

@compute @workgroup_size(WG)
fn layernorm_forward_residual_subgroup(ids: SubgroupIds) {
  let lid = ids.lid;
  let lane = ids.lane;
  let sg = ids.sg;
  let group = group_index(ids);
  for (var k = lid / sg; next_row(group, k) < p.R; k += WG / sg) {
    let base = next_row(group, k) * p.C;
    for (var c = lane; c < p.C; c += sg) {
      inp[base + c] = ra[base + c] + rb[base + c];
    }
    forward_row(next_row(group, k), lane, sg);
  }
}

// Differentiates  out = (inp − mean)·rstd·weight + bias  (see layernorm.wgsl's
// layernorm_backward): dinp += rstd·(g − mean_C(g) − x̂·mean_C(g·x̂)) with g = dout·weight, and
// the block's column partials Σ dout·x̂, Σ dout.
@compute @workgroup_size(WG)
fn layernorm_backward_subgroup(ids: SubgroupIds) {
  let lid = ids.lid;
  let lane = ids.lane;
  let sg = ids.sg;
  let block = group_index(ids);
  let C = bp.C;
  let r0 = block * ROWS;
  if (r0 >= bp.R) {
    return;
  }
  let r1 = min(r0 + ROWS, bp.R);
  for (var row = r0 + lid / sg; row < r1; row += WG / sg) {
    let base = row * C;
    let m = b_mean[row];
    let rs = b_rstd[row];
    var acc = vec2(0.0, 0.0); // Σ g, Σ g·x̂
    for (var c = lane; c < C; c += sg) {
      let xh = (inp[base + c] - m) * rs;
      let g = dout[base + c] * weight[c];
      acc += vec2(g, g * xh);
    }
    let sums = subgroupAdd(acc) / f32(C);
    for (var c = lane; c < C; c += sg) {
      let xh = (inp[base + c] - m) * rs;
      let g = dout[base + c] * weight[c];
      dinp[base + c] += rs * (g - sums.x - xh * sums.y);
    }
  }
  for (var c = lid; c < C; c += WG) {
    var dw = 0.0;
    var db = 0.0;
    for (var row = r0; row < r1; row++) {
      let dy = dout[row * C + c];
      dw += dy * (inp[row * C + c] - b_mean[row]) * b_rstd[row];
      db += dy;
    }
    dweight_part[block * C + c] = dw;
    dbias_part[block * C + c] = db;
  }
}
