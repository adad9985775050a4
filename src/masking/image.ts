// CPU twin of the image (patch) masks of masking_image.wgsl: for a batch of B images on a gh×gw
// patch grid (L = gh·gw), the same mask, keep list and kept count as the GPU, bit for bit. Pure
// and seeded: every draw is hash4(seed ^ SALT, step, b, k); decisions compare integers only;
// block shapes come from the plan's precomputed table, never from sqrt/exp here.
// Outputs (the contract, also in README.md):
//   mask      (B,L) u32  1 = hidden (masked), 0 = visible; patch index = row·gw + col
//   keep      (B,L) u32  the visible patch indices of image b in increasing order, then 0xffffffff
//   keepCount (B)   u32  visible patches of image b (L − hidden)
// What it does not do: parse parameters (image-registry.ts), compute tables (image-tables.ts),
// or touch the GPU (image-gpu.ts).
import { hash4 } from '../data/prng.ts';
import { ASPECT_COUNT, BLOCK_TRIES, IMAGE_SALT, unpackShape, type ImageMaskPlan } from './image-tables.ts';

export const KEEP_PAD = 0xffffffff;

/** A taken blockwise block, for tests and views: h×w at (top, left), hiding `fresh` new patches of the `remaining` budget. */
export interface Block {
  top: number;
  left: number;
  h: number;
  w: number;
  fresh: number;
  remaining: number;
}

export interface ImageMasks {
  mask: Uint32Array; // (B,L)
  keep: Uint32Array; // (B,KC), KC = plan.keepCols
  keepCount: Uint32Array; // (B)
}

/**
 * MAE random_masking for image b: noise (L) = hash4(seed ^ SALT_MAE, step, b, p); argsort it
 * ascending (ties: lower patch) and keep the first keepCount. row (L) is written in place.
 */
function maeRandomRow(plan: ImageMaskPlan, step: number, b: number, row: Uint32Array): void {
  const { L, keepCount } = plan;
  const noise = Array.from({ length: L }, (_, p) => hash4(plan.seed ^ IMAGE_SALT.MAE, step, b, p));
  const order = Array.from({ length: L }, (_, p) => p).sort((x, y) => noise[x]! - noise[y]! || x - y);
  row.fill(1);
  for (let i = 0; i < keepCount; i++) row[order[i]!] = 0;
}

/** Grid offset of image b: (0, 0), or two bits of hash4(seed ^ SALT_GRID, step, b, 0). */
export function gridOffset(plan: ImageMaskPlan, step: number, b: number): [number, number] {
  if (!plan.seededOffset) return [0, 0];
  const h = hash4(plan.seed ^ IMAGE_SALT.GRID, step, b, 0);
  return [h & 1, (h >>> 1) & 1];
}

function gridRow(plan: ImageMaskPlan, step: number, b: number, row: Uint32Array): void {
  const [or, oc] = gridOffset(plan, step, b);
  for (let r = 0; r < plan.gh; r++) for (let c = 0; c < plan.gw; c++) row[r * plan.gw + c] = r % 2 === or && c % 2 === oc ? 0 : 1;
}

/**
 * BEiT MaskingGenerator for image b, integer form. Try k (counted over the whole image, so every
 * try has its own draws): area s uniform in [min(minP, rem), max(minP, rem)] (BEiT's
 * random.uniform(min, rem), which also works when rem < min), aspect index hash % K, (h, w) from
 * the table; if h < gh and w < gw, top ∈ [0, gh−h], left ∈ [0, gw−w]; the block is taken if it hides
 * between 1 and rem new patches. A block ends at its first taken try or after BLOCK_TRIES; the
 * image ends at the budget or at a block that added nothing.
 */
function blockwiseRow(plan: ImageMaskPlan, step: number, b: number, row: Uint32Array, blocks?: Block[]): void {
  const { gh, gw, budget, minPatches, table } = plan;
  const s0 = plan.seed;
  const draw = (salt: number, k: number) => hash4(s0 ^ salt, step, b, k);
  row.fill(0);
  let count = 0;
  let k = 0;
  while (count < budget) {
    const rem = budget - count;
    const lo = Math.min(minPatches, rem);
    const hi = Math.max(minPatches, rem);
    let delta = 0;
    for (let t = 0; t < BLOCK_TRIES && delta === 0; t++, k++) {
      const s = lo + (draw(IMAGE_SALT.AREA, k) % (hi - lo + 1));
      const { h, w } = unpackShape(table[(s - 1) * ASPECT_COUNT + (draw(IMAGE_SALT.ASPECT, k) % ASPECT_COUNT)]!);
      if (h >= gh || w >= gw) continue;
      const top = draw(IMAGE_SALT.TOP, k) % (gh - h + 1);
      const left = draw(IMAGE_SALT.LEFT, k) % (gw - w + 1);
      let fresh = 0;
      for (let r = top; r < top + h; r++) for (let c = left; c < left + w; c++) fresh += 1 - row[r * gw + c]!;
      if (fresh === 0 || fresh > rem) continue;
      for (let r = top; r < top + h; r++) for (let c = left; c < left + w; c++) row[r * gw + c] = 1;
      delta = fresh;
      blocks?.push({ top, left, h, w, fresh, remaining: rem });
    }
    if (delta === 0) break;
    count += delta;
  }
}

/**
 * The masks of B images at `step`: mask (B,L), keep (B,KC), keepCount (B). Same (plan, B, step) →
 * same output, identical to the GPU's.
 */
export function imageMasksReference(plan: ImageMaskPlan, B: number, step: number): ImageMasks {
  const { L, keepCols: KC } = plan;
  const mask = new Uint32Array(B * L);
  const keep = new Uint32Array(B * KC).fill(KEEP_PAD);
  const keepCount = new Uint32Array(B);
  const rowOf = { 'mae-random': maeRandomRow, grid: gridRow, blockwise: blockwiseRow }[plan.strategy];
  for (let b = 0; b < B; b++) {
    const row = mask.subarray(b * L, (b + 1) * L);
    rowOf(plan, step >>> 0, b, row);
    let j = 0;
    for (let p = 0; p < L; p++) if (row[p] === 0) keep[b * KC + j++] = p;
    keepCount[b] = j;
  }
  return { mask, keep, keepCount };
}

/** The blocks blockwise masking takes for image b at `step`, in order (the mask is their union). */
export function blockwiseBlocks(plan: ImageMaskPlan, step: number, b: number): Block[] {
  if (plan.strategy !== 'blockwise') throw new Error(`blockwiseBlocks: the plan is ${plan.strategy}, not blockwise`);
  const blocks: Block[] = [];
  blockwiseRow(plan, step >>> 0, b, new Uint32Array(plan.L), blocks);
  return blocks;
}
