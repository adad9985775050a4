// ELECTRA's generator size from the discriminator's (pure arithmetic; the model plans its memory
// with it, the setup panel shows it).

/**
 * The generator's encoder for a discriminator `m`: hidden size ≈ genFraction·C (a multiple of 8,
 * at least 8), heads of the discriminator's head size (at least one, dividing the width), FFN
 * scaled alike, same depth (ELECTRA's generator_layers 1.0).
 */
export function generatorDims(m: { L: number; C: number; NH: number; FFN: number }, genFraction: number): { L: number; C: number; NH: number; FFN: number } {
  const C = Math.min(m.C, Math.max(8, 8 * Math.round((m.C * genFraction) / 8)));
  let NH = Math.max(1, Math.floor(C / (m.C / m.NH)));
  while (C % NH !== 0) NH--;
  return { L: m.L, C, NH, FFN: Math.max(8, Math.round((m.FFN * C) / m.C)) };
}
