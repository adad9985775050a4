// MAE's decoder input: the encoder's visible tokens put back at their patch positions, with one
// shared, learned mask token at every masked position (models_mae.py::forward_decoder's
// mask_tokens + torch.gather(ids_restore)), and its backward.
//   mae_unshuffle_fill:    maskToken (C) → full (B,cls+L,C) = maskToken (row 0 = enc row 0 if cls);
//                          slot (B,L) = MASKED
//   mae_unshuffle_scatter: enc (B,cls+K,C), keep (B,K) → full[b, cls+keep[b,k]] = enc[b, cls+k];
//                          slot[b, keep[b,k]] = k
//   mae_unshuffle_backward_tokens: denc (B,cls+K,C) += dfull at the kept rows (and row 0)
//   mae_unshuffle_backward_mask:   dmaskToken (C) += Σ over masked rows of dfull
// keep holds patch indices 0..L−1 (no [CLS] offset), distinct within an image: then no two
// threads write one element. An index ≥ L marks a padding slot (a mask whose visible count varies
// per image, padded to K): it is skipped both ways, so its enc row reaches nothing and gets no
// gradient (nothing is added to its denc row).
// The slot table (B,L) is the inverse of keep, written by the forward so the backward knows
// which rows are masked without searching keep. Sums have one fixed order (no float atomics).
// Not here: the visible gather before the encoder (gather.wgsl), position embeddings, [CLS].

struct Params {
  B: u32,
  L: u32,
  K: u32,
  C: u32,
  cls: u32, // 0 or 1: a [CLS] row leads enc and full and is copied through
}

// One binding list for all entry points; forward and backward bind the gradient in the value's slot.
@group(0) @binding(0) var<uniform> u: Params;
@group(0) @binding(1) var<storage, read_write> enc: array<f32>;   // fwd: enc (B,cls+K,C); bwd: denc
@group(0) @binding(2) var<storage, read_write> keep: array<u32>;  // (B,K) patch indices
@group(0) @binding(3) var<storage, read_write> token: array<f32>; // fwd: maskToken (C); bwd: dmaskToken
@group(0) @binding(4) var<storage, read_write> full: array<f32>;  // fwd: full (B,cls+L,C); bwd: dfull
@group(0) @binding(5) var<storage, read_write> slot: array<u32>;  // (B,L): k with keep[b,k] = l, or MASKED

const MASKED: u32 = 0xffffffffu;

override WG: u32 = 256;
// mae_unshuffle_backward_mask: WG = (WG/RL) channels × RL row lanes; RL a power of two.
override RL: u32 = 16;

var<workgroup> part: array<f32, WG>;

@compute @workgroup_size(WG)
fn mae_unshuffle_fill(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = gid.x + gid.y * groups.x * WG;
  let S = u.cls + u.L; // rows of full per image
  if (i >= u.B * S * u.C) {
    return;
  }
  let c = i % u.C;
  let r = (i / u.C) % S;
  let b = i / (u.C * S);
  if (r < u.cls) {
    full[i] = enc[b * (u.cls + u.K) * u.C + c];
    return;
  }
  full[i] = token[c];
  if (c == 0u) {
    slot[b * u.L + r - u.cls] = MASKED;
  }
}

// After mae_unshuffle_fill (the next dispatch of the pass sees its writes).
@compute @workgroup_size(WG)
fn mae_unshuffle_scatter(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = gid.x + gid.y * groups.x * WG;
  if (i >= u.B * u.K * u.C) {
    return;
  }
  let c = i % u.C;
  let bk = i / u.C; // b·K + k
  let b = bk / u.K;
  let k = bk % u.K;
  let l = keep[bk];
  if (l >= u.L) {
    return;
  }
  full[(b * (u.cls + u.L) + u.cls + l) * u.C + c] = enc[(b * (u.cls + u.K) + u.cls + k) * u.C + c];
  if (c == 0u) {
    slot[b * u.L + l] = k;
  }
}

// Differentiates  full[b, cls+keep[b,k], c] = enc[b, cls+k, c]  (and full[b,0,c] = enc[b,0,c])
//   →  denc[b, cls+k, c] += dfull[b, cls+keep[b,k], c]. One thread per element of denc.
@compute @workgroup_size(WG)
fn mae_unshuffle_backward_tokens(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = gid.x + gid.y * groups.x * WG;
  let SK = u.cls + u.K;
  if (i >= u.B * SK * u.C) {
    return;
  }
  let c = i % u.C;
  let r = (i / u.C) % SK;
  let b = i / (u.C * SK);
  var row = 0u; // the [CLS] row maps to itself
  if (r >= u.cls) {
    let l = keep[b * u.K + r - u.cls];
    if (l >= u.L) { // padding slot (tested before adding cls: 0xffffffff + 1 would wrap to row 0)
      return;
    }
    row = u.cls + l;
  }
  enc[i] = enc[i] + full[(b * (u.cls + u.L) + row) * u.C + c];
}

// Differentiates  full[b, cls+l, c] = maskToken[c]  for every masked l
//   →  dmaskToken[c] += Σ_{b, l masked} dfull[b, cls+l, c].
// Workgroup g owns channels g·CT .. g·CT+CT−1 (CT = WG/RL): lane j of a channel adds rows
// j, j+RL, j+2·RL, … of the B·L in order, then the RL lanes are added as a fixed tree. Adjacent
// threads read adjacent channels of one row, so the loads are contiguous.
@compute @workgroup_size(WG)
fn mae_unshuffle_backward_mask(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3<u32>) {
  let CT = WG / RL;
  let lane = lid / CT;
  let c = wid.x * CT + lid % CT;
  var acc = 0.0;
  if (c < u.C) {
    for (var r = lane; r < u.B * u.L; r += RL) {
      if (slot[r] == MASKED) {
        let b = r / u.L;
        let l = r % u.L;
        acc += full[(b * (u.cls + u.L) + u.cls + l) * u.C + c];
      }
    }
  }
  part[lid] = acc;
  workgroupBarrier();
  for (var half = RL / 2u; half > 0u; half /= 2u) {
    if (lane < half) {
      part[lid] += part[lid + half * CT];
    }
    workgroupBarrier();
  }
  if (lane == 0u && c < u.C) {
    token[c] = token[c] + part[lid];
  }
}
