// Test helpers for the MAE model's checks (reference.test.ts, model.gpu.test.ts): masks from the
// image masks' CPU twin, seeded images and float64 copies of parameters. Tests only (lint keeps
// app code from importing *testing.ts).
import { Rng } from '../../data/prng.ts';
import { imageMasksReference } from '../../masking/image.ts';
import { parseImageMaskingConfig } from '../../masking/image-registry.ts';
import { imageMaskPlan } from '../../masking/image-tables.ts';
import type { MaeShape } from './layout.ts';

/**
 * MAE random masks for a batch of s.B images at `step`: mask (B,L) 1 = hidden and keep (B,K),
 * the visible patches in increasing order (the mask writer's keep is (B,K) for MAE random).
 */
export function maeRandomMasks(s: MaeShape, ratio: number, seed: number, step: number): { mask: Uint32Array; keep: Uint32Array } {
  const { config, problems } = parseImageMaskingConfig('mae-random', { ratio });
  if (!config) throw new Error(problems.map((p) => p.message).join(' '));
  const plan = imageMaskPlan(config, { gh: s.gh, gw: s.gw }, seed);
  if (plan.keepCount !== s.K) throw new Error(`masks keep ${plan.keepCount} patches, the model was built for K = ${s.K}`);
  const { mask, keep } = imageMasksReference(plan, s.B, step);
  return { mask, keep };
}

/** (B,H,W,Cimg) seeded uniform pixels in [0,1). */
export function randomImages(s: MaeShape, seed: number): Float32Array {
  return new Rng(seed, 0x696d67).uniformArray(s.B * s.H * s.W * s.Cimg);
}

export function toFloat64(params: Map<string, Float32Array>): Map<string, Float64Array> {
  return new Map([...params].map(([k, v]) => [k, Float64Array.from(v)]));
}
