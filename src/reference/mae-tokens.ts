// Float64 reference for shaders/mae_tokens.wgsl (MAE decoder input: the encoder's visible tokens
// put back at their patch positions, a shared mask token everywhere else) and for the visible
// gather, which is gather.ts's row gather with (T, P) = (L, K).
// Not here: choosing keep (src/masking), position embeddings, or the [CLS] token's own parameter.

import type { MaeTokenShape } from '../model/ops/mae-tokens.ts';
import { gatherBackward, gatherForward } from './gather.ts';

/** x (B,L,C), keep (B,K) → out (B,K,C) = x[b, keep[b,k]], rows of padding slots (keep ≥ L) 0 as gather.wgsl writes them. */
export function visibleGatherForward(x: ArrayLike<number>, keep: ArrayLike<number>, B: number, L: number, K: number, C: number): Float64Array {
  const out = gatherForward(x, Array.from(keep, (l) => (l < L ? l : 0)), B, L, K, C);
  for (let i = 0; i < B * K; i++) if (keep[i]! >= L) out.fill(0, i * C, (i + 1) * C);
  return out;
}

/** dx (B,L,C) = dx0 + dout (B,K,C) scattered to keep (slots with keep ≥ L skipped, as the GPU's). */
export function visibleGatherBackward(dout: ArrayLike<number>, keep: ArrayLike<number>, B: number, L: number, K: number, C: number, dx0?: ArrayLike<number>): Float64Array {
  const weights = Float64Array.from({ length: B * K }, (_, i) => (keep[i]! < L ? 1 : 0));
  return gatherBackward(dout, keep, weights, B, L, K, C, dx0);
}

/**
 * enc (B,cls+K,C), keep (B,K) patch indices (distinct per image; ≥ L = padding slot, skipped),
 * maskToken (C) →
 * full (B,cls+L,C): row 0 = enc row 0 when cls, full[b, cls+keep[b,k]] = enc[b, cls+k],
 * every other row = maskToken.
 */
export function maeUnshuffleForward(enc: ArrayLike<number>, keep: ArrayLike<number>, maskToken: ArrayLike<number>, s: MaeTokenShape): Float64Array {
  const { B, L, K, C, cls } = s;
  const full = new Float64Array(B * (cls + L) * C);
  for (let b = 0; b < B; b++) {
    for (let r = 0; r < cls + L; r++) for (let c = 0; c < C; c++) full[(b * (cls + L) + r) * C + c] = maskToken[c]!;
    if (cls) for (let c = 0; c < C; c++) full[b * (1 + L) * C + c] = enc[b * (1 + K) * C + c]!;
    for (let k = 0; k < K; k++) {
      const l = keep[b * K + k]!;
      if (l >= L) continue; // padding slot
      for (let c = 0; c < C; c++) full[(b * (cls + L) + cls + l) * C + c] = enc[(b * (cls + K) + cls + k) * C + c]!;
    }
  }
  return full;
}

/**
 * dfull (B,cls+L,C) → denc = denc0 + dfull at the kept rows (and row 0 when cls),
 * dmaskToken = dmask0 + Σ over the masked rows of dfull. Returns new arrays; the starting values
 * (what the GPU accumulates into) default to zeros.
 */
export function maeUnshuffleBackward(
  dfull: ArrayLike<number>,
  keep: ArrayLike<number>,
  s: MaeTokenShape,
  denc0?: ArrayLike<number>,
  dmask0?: ArrayLike<number>,
): { denc: Float64Array; dmaskToken: Float64Array } {
  const { B, L, K, C, cls } = s;
  const denc = denc0 ? Float64Array.from(denc0) : new Float64Array(B * (cls + K) * C);
  const dmaskToken = dmask0 ? Float64Array.from(dmask0) : new Float64Array(C);
  for (let b = 0; b < B; b++) {
    const kept = new Set<number>();
    if (cls) for (let c = 0; c < C; c++) denc[b * (1 + K) * C + c] += dfull[b * (1 + L) * C + c]!;
    for (let k = 0; k < K; k++) {
      const l = keep[b * K + k]!;
      if (l >= L) continue; // padding slot
      kept.add(l);
      for (let c = 0; c < C; c++) denc[(b * (cls + K) + cls + k) * C + c] += dfull[(b * (cls + L) + cls + l) * C + c]!;
    }
    for (let l = 0; l < L; l++) {
      if (kept.has(l)) continue;
      for (let c = 0; c < C; c++) dmaskToken[c] += dfull[(b * (cls + L) + cls + l) * C + c]!;
    }
  }
  return { denc, dmaskToken };
}
