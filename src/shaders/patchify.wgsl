// Cuts images into the patch vectors a ViT embeds and an MAE reconstructs, and back:
//   patchify:   images (B,H,W,Cimg) → patches (B,L,PD)
//   unpatchify: patches (B,L,PD) → images (B,H,W,Cimg)       (the reconstruction view)
// with gh = H/p, gw = W/p, L = gh·gw, PD = p·p·Cimg. Patches are row-major over the grid; inside
// a patch the order is (row, col, channel), as facebookresearch/mae models_mae.py::patchify
// ('nchpwq->nhwpqc'), so its pred/target layout and norm_pix_loss statistics carry over.
// One thread per element of the *output*, so every write is a plain store (each map is a
// permutation). Not here: a backward: the patchified pixels are data, and the gradient of either
// map would be the other one.

struct Params {
  B: u32,
  H: u32,
  W: u32,
  Cimg: u32,
  p: u32, // patch side; divides H and W (the launcher checks)
}

@group(0) @binding(0) var<uniform> u: Params;
@group(0) @binding(1) var<storage, read_write> images: array<f32>;  // (B,H,W,Cimg)
@group(0) @binding(2) var<storage, read_write> patches: array<f32>; // (B,L,PD)

override WG: u32 = 256;

// Index into images of element d of patch l of image b.
fn pixel_index(b: u32, l: u32, d: u32) -> u32 {
  let gw = u.W / u.p;
  let y = (l / gw) * u.p + d / (u.p * u.Cimg);
  let x = (l % gw) * u.p + (d / u.Cimg) % u.p;
  return ((b * u.H + y) * u.W + x) * u.Cimg + d % u.Cimg;
}

@compute @workgroup_size(WG)
fn patchify(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = gid.x + gid.y * groups.x * WG;
  if (i >= u.B * u.H * u.W * u.Cimg) { // B·L·PD = B·H·W·Cimg
    return;
  }
  let PD = u.p * u.p * u.Cimg;
  let L = (u.H / u.p) * (u.W / u.p);
  let row = i / PD; // b·L + l
  patches[i] = images[pixel_index(row / L, row % L, i % PD)];
}

@compute @workgroup_size(WG)
fn unpatchify(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = gid.x + gid.y * groups.x * WG;
  if (i >= u.B * u.H * u.W * u.Cimg) {
    return;
  }
  // Image element i = ((b·H + y)·W + x)·Cimg + c  →  patch (y/p, x/p), offset ((y%p)·p + x%p)·Cimg + c.
  let c = i % u.Cimg;
  let x = (i / u.Cimg) % u.W;
  let y = (i / (u.Cimg * u.W)) % u.H;
  let b = i / (u.Cimg * u.W * u.H);
  let gw = u.W / u.p;
  let l = (y / u.p) * gw + x / u.p;
  let d = ((y % u.p) * u.p + x % u.p) * u.Cimg + c;
  let L = (u.H / u.p) * gw;
  images[i] = patches[(b * L + l) * (u.p * u.p * u.Cimg) + d];
}
