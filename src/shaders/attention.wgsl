// Bidirectional multi-head self-attention with a key padding mask (BERT), forward and backward.
// qkv (B,T,3C): Q, K, V at channels [0,C), [C,2C), [2C,3C); head h owns h·HS..(h+1)·HS of each.
// mask (B,T) u32, 1 = real token: padding keys get probability exactly 0 (and so no gradient);
// padded query rows are computed normally; a sequence without real keys gets all-zero rows.
//   attention_scores:  qkv, mask → probs (B,NH,T,T) = softmax_keys(Q·Kᵀ/√HS)
//   attention_apply:   y (=|+=) scale · W·X per (b, h), W = probs or dscores (or their transpose):
//                      forward out = P·V; backward dQ = dS·K/√HS, dK = dSᵀ·Q/√HS, dV = Pᵀ·dO
//   attention_dscores: dout, V, probs → dscores = P ⊙ (dO·Vᵀ − rowsum(dO·Vᵀ ⊙ P))
// attention_simple.wgsl has the untiled, barrier-free forward and backward (the reference for
// these kernels, and the 'cpu' kernel profile's choice).
// Tiled kernels: one workgroup of BQ×BK threads per (b, h, BQ rows); thread (ty, tx) owns row ty
// and the columns ≡ tx (mod BK), so every sum has a fixed order (bit-reproducible). Tiles live in
// workgroup memory with row stride HS + 1 (no bank conflicts when threads walk different rows).
// Not here: causal masks, dropout, fused flash-style forward (probs are kept for the UI anyway).

struct Params {
  B: u32,
  T: u32,
  C: u32,
  NH: u32,
  scale: f32, // scores: 1/√HS; apply: the factor on W·X
  q_tiles: u32, // ⌈T / BQ⌉ row tiles per (b, h)
  x_stride: u32, // apply: X[b, s, x_off + h·HS + d] sits at (b·T + s)·x_stride + x_off + h·HS + d
  x_off: u32,
  y_stride: u32, // apply: likewise for the output Y
  y_off: u32,
  transpose: u32, // apply: 1 → W(r, s) = w[b, h, s, r]
  accumulate: u32, // apply: 1 → y +=, 0 → y =
}

@group(0) @binding(0) var<uniform> p: Params;
// attention_scores (0–3).
@group(0) @binding(1) var<storage, read_write> qkv: array<f32>;
@group(0) @binding(2) var<storage, read_write> mask: array<u32>;
@group(0) @binding(3) var<storage, read_write> probs: array<f32>;
// attention_dscores: qkv (1) and probs (3) as above. Entry points that never meet may share a
// binding number, so these alias the slot of mask and take slot 4.
@group(0) @binding(2) var<storage, read_write> dout: array<f32>;
@group(0) @binding(4) var<storage, read_write> dscores: array<f32>;
// attention_apply: w (B,NH,T,T), x and y as strided (B,T,·) row arrays.
@group(0) @binding(1) var<storage, read_write> w: array<f32>;
@group(0) @binding(2) var<storage, read_write> x: array<f32>;
@group(0) @binding(3) var<storage, read_write> y: array<f32>;

override HS: u32 = 64; // head size (sizes the tiles)
override BQ: u32 = 16; // rows (queries, or keys for the transposed apply) per workgroup
override BK: u32 = 16; // keys per tile and threads per row; a power of two
override HSP: u32 = HS + 1u; // padded tile row stride
const NEG: f32 = -3.0e38; // below any score; finite, so exp(NEG − m) is 0, never NaN

var<workgroup> ta: array<f32, BQ * HSP>; // row tile: Q, dO, or apply's accumulators
var<workgroup> tb: array<f32, BK * HSP>; // key tile: K, V, or apply's X rows
var<workgroup> tw: array<f32, BQ * BK>; // apply: W tile
var<workgroup> red: array<vec2<f32>, BQ * BK>; // per-row reductions over the BK threads of a row

fn qkv_at(b: u32, t: u32, part: u32, h: u32, d: u32) -> u32 {
  return (b * p.T + t) * 3u * p.C + part * p.C + h * HS + d;
}

/** (b, h, first row) of this workgroup; b = B when the workgroup is past the end (grid rounding). */
fn tile_origin(wid: vec3<u32>, groups: vec3<u32>) -> vec3<u32> {
  let g = wid.x + wid.y * groups.x;
  let bh = g / p.q_tiles;
  return vec3(bh / p.NH, bh % p.NH, (g % p.q_tiles) * BQ);
}

/** tb ← rows k0..k0+BK of part (1 = K, 2 = V) of head h; zeros past T. */
fn load_key_tile(b: u32, h: u32, k0: u32, part: u32, lid: u32) {
  workgroupBarrier(); // the previous tile's readers are done
  for (var e = lid; e < BK * HS; e += BQ * BK) {
    let r = e / HS;
    let d = e % HS;
    var v = 0.0;
    if (k0 + r < p.T) {
      v = qkv[qkv_at(b, k0 + r, part, h, d)];
    }
    tb[r * HSP + d] = v;
  }
  workgroupBarrier();
}

/** ta[ty] · tb[tx] over HS. */
fn tile_dot(ty: u32, tx: u32) -> f32 {
  var s = 0.0;
  for (var d = 0u; d < HS; d++) {
    s += ta[ty * HSP + d] * tb[tx * HSP + d];
  }
  return s;
}

/** Sum of v over the BK threads of row ty (fixed tree). */
fn row_sum(lid: u32, ty: u32, tx: u32, v: f32) -> f32 {
  red[lid] = vec2(v, 0.0);
  workgroupBarrier();
  for (var half = BK / 2u; half > 0u; half /= 2u) {
    if (tx < half) {
      red[lid] += red[lid + half];
    }
    workgroupBarrier();
  }
  return red[ty * BK].x;
}

// probs[b,h,i,:] = softmax over real keys j of Q_i·K_j/√HS. Pass 1 writes raw scores and keeps an
// online (max, Σexp) per thread; the BK threads of a row merge theirs; pass 2 rewrites each score
// as a probability. Each thread re-reads only the entries it wrote itself (no storage barrier).
@compute @workgroup_size(BQ * BK)
fn attention_scores(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let o = tile_origin(wid, groups);
  let b = o.x;
  let h = o.y;
  if (b >= p.B) {
    return;
  }
  let ty = lid / BK;
  let tx = lid % BK;
  let i = o.z + ty;
  for (var e = lid; e < BQ * HS; e += BQ * BK) {
    var v = 0.0;
    if (o.z + e / HS < p.T) {
      v = qkv[qkv_at(b, o.z + e / HS, 0u, h, e % HS)];
    }
    ta[(e / HS) * HSP + e % HS] = v;
  }
  let row = ((b * p.NH + h) * p.T + i) * p.T;
  var m = NEG;
  var l = 0.0;
  for (var k0 = 0u; k0 < p.T; k0 += BK) {
    load_key_tile(b, h, k0, 1u, lid);
    let j = k0 + tx;
    if (i < p.T && j < p.T) {
      let s = tile_dot(ty, tx) * p.scale;
      probs[row + j] = s;
      if (mask[b * p.T + j] != 0u) {
        let mn = max(m, s);
        l = l * exp(m - mn) + exp(s - mn);
        m = mn;
      }
    }
  }
  red[lid] = vec2(m, l);
  workgroupBarrier();
  for (var half = BK / 2u; half > 0u; half /= 2u) {
    if (tx < half) {
      let a = red[lid];
      let c = red[lid + half];
      let mn = max(a.x, c.x);
      red[lid] = vec2(mn, a.y * exp(a.x - mn) + c.y * exp(c.x - mn));
    }
    workgroupBarrier();
  }
  let ml = red[ty * BK];
  if (i < p.T) {
    let inv = select(0.0, 1.0 / ml.y, ml.y > 0.0);
    for (var j = tx; j < p.T; j += BK) {
      var pr = 0.0;
      if (mask[b * p.T + j] != 0u) {
        pr = exp(probs[row + j] - ml.x) * inv;
      }
      probs[row + j] = pr;
    }
  }
}

// Y[b, r, y_off + h·HS + d] (=|+=) scale · Σ_s W(r, s) · X[b, s, x_off + h·HS + d] for BQ rows r.
// Serves  out = P·V  (forward) and, in the backward, dQ = dS·K/√HS, dK = dSᵀ·Q/√HS, dV = Pᵀ·dO.
@compute @workgroup_size(BQ * BK)
fn attention_apply(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let o = tile_origin(wid, groups);
  let b = o.x;
  let h = o.y;
  if (b >= p.B) {
    return;
  }
  let ty = lid / BK;
  let tx = lid % BK;
  let T = p.T;
  let wbase = (b * p.NH + h) * T * T;
  for (var e = lid; e < BQ * HS; e += BQ * BK) {
    ta[(e / HS) * HSP + e % HS] = 0.0;
  }
  for (var s0 = 0u; s0 < T; s0 += BK) {
    workgroupBarrier(); // the previous tile's readers are done
    // W tile, read along memory rows either way (coalesced): tw[r·BK + s] = W(o.z + r, s0 + s).
    var r = lid / BK;
    var s = lid % BK;
    if (p.transpose != 0u) {
      r = lid % BQ;
      s = lid / BQ;
    }
    var v = 0.0;
    if (o.z + r < T && s0 + s < T) {
      v = w[wbase + select((o.z + r) * T + s0 + s, (s0 + s) * T + o.z + r, p.transpose != 0u)];
    }
    tw[r * BK + s] = v;
    for (var e = lid; e < BK * HS; e += BQ * BK) {
      let t = s0 + e / HS;
      var xv = 0.0;
      if (t < T) {
        xv = x[(b * T + t) * p.x_stride + p.x_off + h * HS + e % HS];
      }
      tb[(e / HS) * HSP + e % HS] = xv;
    }
    workgroupBarrier();
    for (var d = tx; d < HS; d += BK) {
      var a = ta[ty * HSP + d];
      for (var k = 0u; k < BK; k++) {
        a += tw[ty * BK + k] * tb[k * HSP + d];
      }
      ta[ty * HSP + d] = a;
    }
  }
  let r = o.z + ty;
  if (r < T) {
    for (var d = tx; d < HS; d += BK) {
      let idx = (b * T + r) * p.y_stride + p.y_off + h * HS + d;
      let v = p.scale * ta[ty * HSP + d];
      if (p.accumulate != 0u) {
        y[idx] += v;
      } else {
        y[idx] = v;
      }
    }
  }
}

// Differentiates  probs = softmax(S)  given dP = dO·Vᵀ (from  out = P·V):
// dS_ij = P_ij · (dP_ij − Σ_k dP_ik·P_ik). Masked keys have P = 0, hence dS = 0.
// Pass 1 writes dP and the row sum's per-thread part; pass 2 rewrites dP as dS (own entries).
@compute @workgroup_size(BQ * BK)
fn attention_dscores(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let o = tile_origin(wid, groups);
  let b = o.x;
  let h = o.y;
  if (b >= p.B) {
    return;
  }
  let ty = lid / BK;
  let tx = lid % BK;
  let i = o.z + ty;
  for (var e = lid; e < BQ * HS; e += BQ * BK) {
    var v = 0.0;
    if (o.z + e / HS < p.T) {
      v = dout[(b * p.T + o.z + e / HS) * p.C + h * HS + e % HS];
    }
    ta[(e / HS) * HSP + e % HS] = v;
  }
  let row = ((b * p.NH + h) * p.T + i) * p.T;
  var acc = 0.0;
  for (var k0 = 0u; k0 < p.T; k0 += BK) {
    load_key_tile(b, h, k0, 2u, lid);
    let j = k0 + tx;
    if (i < p.T && j < p.T) {
      let dp = tile_dot(ty, tx);
      dscores[row + j] = dp;
      acc += dp * probs[row + j];
    }
  }
  let D = row_sum(lid, ty, tx, acc);
  if (i < p.T) {
    for (var j = tx; j < p.T; j += BK) {
      dscores[row + j] = probs[row + j] * (dscores[row + j] - D);
    }
  }
}
