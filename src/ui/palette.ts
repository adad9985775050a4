// Colours every view shares. Series use the Okabe–Ito palette (distinguishable with the common
// colour-vision deficiencies, and in greyscale by lightness order); mask kinds and attention use
// the same hues so a lecturer can say "the orange ones" and mean the same thing everywhere.
import { interpolateCividis } from 'd3';

/** Okabe & Ito (2008), "Color Universal Design": series colours in legend order. */
export const SERIES = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#000000'] as const;

export function seriesColor(i: number): string {
  return SERIES[((i % SERIES.length) + SERIES.length) % SERIES.length]!;
}

/** Mask record kinds (MASK_KIND order: none, [MASK], random, kept). */
export const MASK_COLORS = ['transparent', '#0072B2', '#D55E00', '#009E73'] as const;
export const MASK_LABELS = ['not masked', '[MASK]', 'random token', 'kept'] as const;

/**
 * Sequential ramp for attention and probabilities, t in [0, 1]: cividis (dark blue → yellow),
 * designed to read the same with colour-vision deficiencies, with lightness rising
 * monotonically, so it suits the dark background (0 blends in, 1 stands out).
 */
export function heat(t: number): string {
  return interpolateCividis(Math.min(1, Math.max(0, t)));
}

/** Right / wrong prediction marks (blue / vermillion, not red / green). */
export const RIGHT = '#0072B2';
export const WRONG = '#D55E00';
