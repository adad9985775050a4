// Image (patch) masks for a tiny MAE (spec §C), bit-identical to src/masking/image.ts. For B images
// on a gh×gw patch grid (L = gh·gw ≤ 256, patch = row·gw + col):
//   mask (B,L) u32: 1 hidden, 0 visible;  keep (B,KC) u32: visible patches ascending, then
//   0xffffffff; keep_count (B) u32. KC = keep_cols: the kept count where every image keeps the same
//   number (MAE random, grid: keep is then exactly the MAE encoder's (B,K) index list), else L.
// One entry point per strategy, one invocation per image walking its row with sequential, bounded
// loops (L is small; no barriers, no private arrays, which SwiftShader pays for):
//   image_mae_random  keep the keep_count patches with the smallest (hash4(seed^SALT_MAE, step, b, p), p)
//   image_grid        keep row%2 == o_r && col%2 == o_c; (o_r, o_c) = (0,0) or two hash bits per image
//   image_blockwise   BEiT blocks until `budget` patches are hidden, shapes from the CPU's hw table
// Only integers decide: uniform draws are `hash % m`; block shapes come from hw (L,K), computed
// once on the CPU (src/masking/image-tables.ts), so no sqrt/exp/log runs here.
// Not here: parameters, roundings (kept count, budget) and the table itself (image-tables.ts).
//!include prng.wgsl

// = imageUniforms() in image-tables.ts, word for word.
struct ImageParams {
  B: u32,
  gh: u32,
  gw: u32,
  L: u32,
  seed: u32,
  step: u32,
  keep_count: u32,    // MAE random: visible patches per image
  budget: u32,        // blockwise: patches to hide, n
  min_patches: u32,   // blockwise: smallest block area
  seeded_offset: u32, // grid: 1 = offset drawn per image
  tries: u32,         // blockwise: tries per block (BEiT: 10)
  aspects: u32,       // blockwise: K, entries per area in hw
  keep_cols: u32,     // KC, the row length of keep
}

// = IMAGE_SALT in image-tables.ts (image.test.ts checks the copies).
const SALT_MAE: u32 = 0x8f1bbcdcu;
const SALT_GRID: u32 = 0xca62c1d6u;
const SALT_AREA: u32 = 0x6ed9eba1u;
const SALT_ASPECT: u32 = 0x5a827999u;
const SALT_TOP: u32 = 0x98badcfeu;
const SALT_LEFT: u32 = 0x10325476u;
const KEEP_PAD: u32 = 0xffffffffu;

@group(0) @binding(0) var<storage, read_write> mask: array<u32>;       // (B,L)
@group(0) @binding(1) var<storage, read_write> keep: array<u32>;       // (B,KC)
@group(0) @binding(2) var<storage, read_write> keep_count: array<u32>; // (B)
@group(0) @binding(3) var<uniform> p: ImageParams;
// Blockwise only: hw[(s−1)·K + k] = h | w << 16 for area s = 1..L and aspect index k.
@group(0) @binding(4) var<storage, read_write> hw: array<u32>;         // (L,K)

override WG: u32 = 64;

// One invocation per image over a grid1d grid of WG-wide groups.
fn image_of(gid: vec3<u32>, groups: vec3<u32>) -> u32 {
  return gid.x + gid.y * groups.x * WG;
}

// keep (visible patches ascending, then padding) and keep_count from the row's mask.
fn write_keep(b: u32) {
  let o = b * p.L;
  let ok = b * p.keep_cols;
  var j = 0u;
  for (var q = 0u; q < p.L; q++) {
    if (mask[o + q] == 0u) {
      keep[ok + j] = q;
      j++;
    }
  }
  keep_count[b] = j;
  for (var q = j; q < p.keep_cols; q++) {
    keep[ok + q] = KEEP_PAD;
  }
}

@compute @workgroup_size(WG)
fn image_mae_random(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let b = image_of(gid, groups);
  if (b >= p.B) {
    return;
  }
  let o = b * p.L;
  // The mask row holds the noise while the ranks are counted; the visible patches are the first
  // keep_count places (MAE ids_keep = ids_shuffle[:len_keep]), listed in patch order.
  for (var q = 0u; q < p.L; q++) {
    mask[o + q] = hash4(p.seed ^ SALT_MAE, p.step, b, q);
  }
  // A patch's place in argsort(noise) is the number of patches before it in (noise, index) order.
  let ok = b * p.keep_cols;
  var j = 0u;
  for (var q = 0u; q < p.L; q++) {
    let s = mask[o + q];
    var rank = 0u;
    for (var u = 0u; u < p.L; u++) {
      let t = mask[o + u];
      if (t < s || (t == s && u < q)) {
        rank++;
      }
    }
    if (rank < p.keep_count) {
      keep[ok + j] = q;
      j++;
    }
  }
  for (var q = 0u; q < p.L; q++) {
    mask[o + q] = 1u;
  }
  for (var i = 0u; i < j; i++) {
    mask[o + keep[ok + i]] = 0u;
  }
  keep_count[b] = j;
}

@compute @workgroup_size(WG)
fn image_grid(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let b = image_of(gid, groups);
  if (b >= p.B) {
    return;
  }
  var o_r = 0u;
  var o_c = 0u;
  if (p.seeded_offset != 0u) {
    let h = hash4(p.seed ^ SALT_GRID, p.step, b, 0u);
    o_r = h & 1u;
    o_c = (h >> 1u) & 1u;
  }
  let o = b * p.L;
  for (var r = 0u; r < p.gh; r++) {
    for (var c = 0u; c < p.gw; c++) {
      mask[o + r * p.gw + c] = select(1u, 0u, r % 2u == o_r && c % 2u == o_c);
    }
  }
  write_keep(b);
}

// New (not yet hidden) patches in the h×w block at (top, left) of the row at o.
fn fresh_in_block(o: u32, top: u32, left: u32, h: u32, w: u32) -> u32 {
  var n = 0u;
  for (var r = top; r < top + h; r++) {
    for (var c = left; c < left + w; c++) {
      n += 1u - mask[o + r * p.gw + c];
    }
  }
  return n;
}

@compute @workgroup_size(WG)
fn image_blockwise(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let b = image_of(gid, groups);
  if (b >= p.B) {
    return;
  }
  let o = b * p.L;
  for (var q = 0u; q < p.L; q++) {
    mask[o + q] = 0u;
  }
  let sd = p.seed;
  var count = 0u;
  var k = 0u; // try index over the whole image: each try has its own draws
  // Every block adds ≥ 1 patch or ends the loop, so at most `budget` blocks.
  for (var block = 0u; block < p.budget && count < p.budget; block++) {
    let rem = p.budget - count;
    let lo = min(p.min_patches, rem);
    let hi = max(p.min_patches, rem);
    var delta = 0u;
    for (var t = 0u; t < p.tries && delta == 0u; t++) {
      let kk = k;
      k++;
      let s = lo + hash4(sd ^ SALT_AREA, p.step, b, kk) % (hi - lo + 1u);
      let e = hw[(s - 1u) * p.aspects + hash4(sd ^ SALT_ASPECT, p.step, b, kk) % p.aspects];
      let h = e & 0xffffu;
      let w = e >> 16u;
      // BEiT: `if w < self.width and h < self.height`.
      if (h >= p.gh || w >= p.gw) {
        continue;
      }
      let top = hash4(sd ^ SALT_TOP, p.step, b, kk) % (p.gh - h + 1u);
      let left = hash4(sd ^ SALT_LEFT, p.step, b, kk) % (p.gw - w + 1u);
      let fresh = fresh_in_block(o, top, left, h, w);
      // BEiT: `if 0 < h * w - num_masked <= max_mask_patches`.
      if (fresh == 0u || fresh > rem) {
        continue;
      }
      for (var r = top; r < top + h; r++) {
        for (var c = left; c < left + w; c++) {
          mask[o + r * p.gw + c] = 1u;
        }
      }
      delta = fresh;
    }
    if (delta == 0u) {
      break;
    }
    count += delta;
  }
  write_keep(b);
}
