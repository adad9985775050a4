// The rules of the image masks, computed once on the CPU and shared by both sides: kept count and
// block budget (the only float → integer roundings), the scaled BEiT minimum block area, the
// log-uniform aspect table and the block-shape table hw (L,K) — the only place sqrt/exp/log
// appear; the GPU reads the table — salts, and the uniform block of masking_image.wgsl.
// The CPU twin (image.ts) and the launcher (image-gpu.ts) both take an ImageMaskPlan from here,
// so they cannot disagree on a number.
// What it does not do: pick patches, or touch the GPU.
import { budget } from './budget.ts';
import { IMAGE_MAX_PATCHES, imageStrategyById, type ImageMaskingConfig, type ImageStrategyId } from './image-registry.ts';

/** Salts XORed into the seed, one stream per decision. masking_image.wgsl repeats them (tested). */
export const IMAGE_SALT = {
  MAE: 0x8f1bbcdc, // MAE random noise per (b, patch)
  GRID: 0xca62c1d6, // seeded grid offset per b
  AREA: 0x6ed9eba1, // blockwise: area of try k
  ASPECT: 0x5a827999, // blockwise: aspect index of try k
  TOP: 0x98badcfe, // blockwise: top row of try k
  LEFT: 0x10325476, // blockwise: left column of try k
} as const;

/** Entries of the log-uniform aspect table: a draw is `hash % K`, K a power of two (no bias). */
export const ASPECT_COUNT = 64;
/** Tries per block before a block counts as "adds nothing" (BEiT `for attempt in range(10)`). */
export const BLOCK_TRIES = 10;
/** BEiT's minimum block area at its grid: 16 patches of 14×14 = 196. */
const BEIT_MIN_AREA = 16;
const BEIT_PATCHES = 196;
/** Decimal ratios are not exact in binary (1 − 0.9 = 0.0999…98): count what the user typed. */
const ROUND_EPS = 1e-9;

export const STRATEGY_CODE: Readonly<Record<ImageStrategyId, number>> = { 'mae-random': 0, grid: 1, blockwise: 2 };
export const STRATEGY_ENTRY: Readonly<Record<ImageStrategyId, string>> = { 'mae-random': 'image_mae_random', grid: 'image_grid', blockwise: 'image_blockwise' };

export interface PatchGrid {
  gh: number; // patch rows
  gw: number; // patch columns
}

/** Everything both sides need, resolved for one grid and seed. Same plan → same masks. */
export interface ImageMaskPlan {
  strategy: ImageStrategyId;
  gh: number;
  gw: number;
  L: number; // gh·gw
  seed: number; // u32
  /** MAE random: visible patches per image ⌊L(1−r)⌋ (≥ 1). Grid with a fixed offset: its count. Blockwise: 0 (varies). */
  keepCount: number;
  /**
   * Row length of `keep` (B,KC): the kept count where every image keeps the same number (MAE
   * random, grid), so keep is the MAE encoder's (B,K) index list as it is; L for blockwise.
   */
  keepCols: number;
  /** Blockwise: target hidden patches n = max(1, round(r·L)); 0 otherwise. */
  budget: number;
  /** Blockwise: smallest block area (resolved: the parameter, or the scaled BEiT default). */
  minPatches: number;
  /** Grid: 1 = each image draws its offset (o_r, o_c) from the hash; 0 = (0, 0). */
  seededOffset: number;
  /** Blockwise: hw (L,K) u32, entry (s−1)·K + k = h | w << 16 for area s and aspect index k; empty otherwise. */
  table: Uint32Array;
}

/** Visible patches of an MAE random mask: ⌊L·(1−r)⌋ (MAE `int(L * (1 - mask_ratio))`), at least 1. */
export function maeKeepCount(L: number, ratio: number): number {
  return Math.max(1, Math.floor(L * (1 - ratio) + ROUND_EPS));
}

/** Patches a grid keeps with offset (o_r, o_c): ⌈(gh−o_r)/2⌉·⌈(gw−o_c)/2⌉. */
export function gridKeepCount(g: PatchGrid, oRow = 0, oCol = 0): number {
  return Math.ceil((g.gh - oRow) / 2) * Math.ceil((g.gw - oCol) / 2);
}

/** Blockwise target: n = max(1, round half up(r·L)). */
export function blockBudget(L: number, ratio: number): number {
  return budget(L, ratio, L); // the text masks' rule: round half up, at least 1
}

/** BEiT's 16-of-196 minimum area scaled to L patches: max(1, round(16·L/196)). */
export function defaultMinPatches(L: number): number {
  return Math.max(1, Math.floor((BEIT_MIN_AREA * L) / BEIT_PATCHES + 0.5));
}

/**
 * K aspect ratios a_k = exp(log m + (k + ½)·(−2 log m)/K), m = minAspect: the midpoints of K equal
 * bins of [log m, −log m], so a_{K−1−k} = 1/a_k and tall and wide blocks are equally likely.
 */
export function aspectTable(minAspect: number, K = ASPECT_COUNT): Float64Array {
  const lo = Math.log(minAspect);
  const span = -2 * lo;
  return Float64Array.from({ length: K }, (_, k) => Math.exp(lo + ((k + 0.5) * span) / K));
}

/**
 * hw (L,K): for area s = 1..L and aspect a_k, h = round√(s·a), w = round√(s/a) (BEiT's
 * `int(round(math.sqrt(...)))`; Math.round rounds halves up where Python rounds them to even: an
 * exact half needs s·a = (m+½)², which the table's irrational a_k do not hit). Packed h | w << 16.
 */
export function blockShapeTable(L: number, minAspect: number, K = ASPECT_COUNT): Uint32Array {
  const a = aspectTable(minAspect, K);
  const out = new Uint32Array(L * K);
  for (let s = 1; s <= L; s++) {
    for (let k = 0; k < K; k++) {
      const h = Math.round(Math.sqrt(s * a[k]!));
      const w = Math.round(Math.sqrt(s / a[k]!));
      out[(s - 1) * K + k] = (h | (w << 16)) >>> 0;
    }
  }
  return out;
}

export function unpackShape(e: number): { h: number; w: number } {
  return { h: e & 0xffff, w: e >>> 16 };
}

/**
 * Resolves a parsed config for a gh×gw grid and a seed. Throws one message listing every problem
 * with the grid (too many patches, a grid too small for blocks, minPatches > L, a seeded grid
 * offset on an odd grid), each saying what to change.
 */
export function imageMaskPlan(config: ImageMaskingConfig, grid: PatchGrid, seed: number): ImageMaskPlan {
  const spec = imageStrategyById(config.strategy);
  if (!spec) throw new Error(`Unknown image masking strategy "${config.strategy}".`);
  const { gh, gw } = grid;
  const L = gh * gw;
  const problems: string[] = [];
  if (!Number.isInteger(gh) || !Number.isInteger(gw) || gh < 1 || gw < 1) problems.push(`the patch grid must be whole numbers ≥ 1 (got ${gh}×${gw})`);
  else if (L > IMAGE_MAX_PATCHES) problems.push(`a ${gh}×${gw} grid has ${L} patches, more than the ${IMAGE_MAX_PATCHES} the masks support; use larger patches`);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) problems.push(`the seed must be a u32 (got ${seed})`);
  const p = config.params;
  let keepCount = 0;
  let budget = 0;
  let minPatches = 0;
  let seededOffset = 0;
  if (config.strategy === 'mae-random') keepCount = maeKeepCount(L, p.ratio as number);
  if (config.strategy === 'grid') {
    seededOffset = p.offset === 'seeded' ? 1 : 0;
    if (seededOffset && (gh % 2 || gw % 2)) problems.push(`grid: offset "seeded" needs an even gh and gw so every image keeps the same count (a ${gh}×${gw} grid keeps ${gridKeepCount(grid)} patches at offset (0,0) but ${gridKeepCount(grid, gh % 2, gw % 2)} at (${gh % 2},${gw % 2})); use offset "fixed", or MAE random`);
    keepCount = gridKeepCount(grid);
  }
  if (config.strategy === 'blockwise') {
    budget = blockBudget(L, p.ratio as number);
    minPatches = (p.minPatches as number) || defaultMinPatches(L);
    // BEiT keeps a block only if h < height and w < width: a 1-patch-wide grid can hold none.
    if (gh < 2 || gw < 2) problems.push(`blockwise: blocks must be narrower and shorter than the grid (as in BEiT), so it needs at least 2×2 patches (got ${gh}×${gw}); use MAE random`);
    if (minPatches > L) problems.push(`blockwise: minPatches (${minPatches}) must not exceed the ${L} patches of a ${gh}×${gw} grid; use 0 for the scaled default (${defaultMinPatches(L)})`);
  }
  if (problems.length) throw new Error(`image masking (${config.strategy}): ${problems.join('; ')}.`);
  const table = config.strategy === 'blockwise' ? blockShapeTable(L, p.minAspect as number) : new Uint32Array(0);
  return { strategy: config.strategy, gh, gw, L, seed: seed >>> 0, keepCount, keepCols: keepCount > 0 ? keepCount : L, budget, minPatches, seededOffset, table };
}

/** Words of the uniform block ImageParams of masking_image.wgsl, in its field order. */
export function imageUniforms(plan: ImageMaskPlan, B: number, step: number): Uint32Array {
  return Uint32Array.from([B, plan.gh, plan.gw, plan.L, plan.seed, step >>> 0, plan.keepCount, plan.budget, plan.minPatches, plan.seededOffset, BLOCK_TRIES, ASPECT_COUNT, plan.keepCols]);
}
