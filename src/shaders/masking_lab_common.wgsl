// Shared by the masking-lab kernels (masking_lab*.wgsl): the uniform block, special ids, salts and
// integer helpers. Every constant has a twin in src/masking/lab-rules.ts (selection.test.ts checks
// the two copies). No bindings here: each kernel file declares its own. Include with
// `//!include masking_lab_common.wgsl`.
//!include prng.wgsl

// = labUniforms() in lab-rules.ts, word for word.
struct LabParams {
  B: u32,
  T: u32,
  P: u32,
  V: u32,
  seed: u32,
  step: u32,
  kind: u32,            // KIND_*
  mode: u32,            // spans: 0 lengths, 1 entity; scores: 0 high, 1 low, 2 hint
  thr_mask: u32,        // u24 < thr_mask → [MASK]
  thr_mask_random: u32, // u24 < thr_mask_random → random token; else keep
  random_from: u32,     // 0 uniform over ordinary ids, 1 unigram via cdf
  cdf_total: u32,
  corrupt_by: u32,      // 0 token (hash over t), 1 unit (hash over the unit index)
  force_random: u32,    // attention at step 0: every row random
  thr_apply: u32,       // attention: u24 < thr_apply → use the scores
  eps24: u32,           // diffusion ε in 24-bit fixed point
  len_count: u32,       // entries of len_cdf in use
  len_min: u32,         // length of entry 0
  thr_entity: u32,      // entity: u24 < thr_entity → try a proper-noun run
  max_draws: u32,       // span draws per row (8·T)
  len_cdf: array<vec4<u32>, 5>, // cumulative u24 length table (20 entries)
}

//!include special_tokens.wgsl
const NO_UNIT: u32 = 0xffffu;
const CLASS_ENTITY: u32 = 0x10000u;
const ONE24: u32 = 0x1000000u;

const KIND_SHUFFLE: u32 = 0u;
const KIND_SPANS: u32 = 1u;
const KIND_WEIGHTED: u32 = 2u;
const KIND_SCORES: u32 = 3u;
const KIND_BERNOULLI: u32 = 4u;
const MODE_LOW: u32 = 1u;
const MODE_HINT: u32 = 2u;
const MODE_ENTITY: u32 = 1u;

const SALT_KIND: u32 = 0x5bd1e995u;
const SALT_TOKEN: u32 = 0x68e31da4u;
const SALT_SPAN_LEN: u32 = 0x3c6ef372u;
const SALT_ANCHOR: u32 = 0xa54ff53au;
const SALT_ENTITY: u32 = 0x510e527fu;
const SALT_PICK: u32 = 0x9b05688cu;
const SALT_WEIGHTED: u32 = 0x1f83d9abu;
const SALT_APPLY: u32 = 0x5be0cd19u;
const SALT_HINT: u32 = 0xcbbb9d5du;
const SALT_TIME: u32 = 0x9159015au;
const SALT_BERN: u32 = 0x152fecd8u;

// floor(a·b / 2^24) for a, b < 2^24 with 12-bit halves (WGSL has no 64-bit integers).
fn mulhi24(a: u32, b: u32) -> u32 {
  let ah = a >> 12u;
  let al = a & 0xfffu;
  let bh = b >> 12u;
  let bl = b & 0xfffu;
  let mid = ah * bl + al * bh + ((al * bl) >> 12u);
  return ah * bh + (mid >> 12u);
}

// Diffusion time of row b as tq = ε + (1−ε)·t in 24-bit fixed point, t stratified over the batch
// (MDLM antithetic sampling): t24 = floor((u_b + b)·2^24 / B), with 2^24 = q·B + r so that
// nothing overflows. Twin: diffusionTime() in lab-rules.ts.
fn diffusion_tq(seed: u32, step: u32, b: u32, B: u32, eps24: u32) -> u32 {
  let u24 = hash4(seed ^ SALT_TIME, step, b, 0u) >> 8u;
  let q = ONE24 / B;
  let r = ONE24 % B;
  let t24 = (b * q + (u24 + b * r) / B) & 0xffffffu;
  return eps24 + mulhi24(ONE24 - eps24, t24);
}

// Attention: does row b fall back to random masking (step 0, or not chosen with applyProb)?
fn attention_fallback(seed: u32, step: u32, b: u32, force: u32, thr_apply: u32) -> bool {
  return force != 0u || (hash4(seed ^ SALT_APPLY, step, b, 0u) >> 8u) >= thr_apply;
}

// One invocation per sequence: the flat invocation index over a grid1d grid of WG-wide groups.
fn seq_of(gid: vec3<u32>, groups: vec3<u32>, wg: u32) -> u32 {
  return gid.x + gid.y * groups.x * wg;
}
