// How many tokens a sequence gets masked, for every strategy and both sides (GPU table, CPU
// twin): the budget rule of spec §0 and the masking-rate schedules of spec A9. One function
// computes the table the GPU reads, so the two sides cannot round differently.
// Not here: which tokens (selection), or how they are corrupted.


import { strategyById } from './registry.ts';
/** Longest sequence the masking kernels handle (the budget table has entries L = 0..512). */
export const BUDGET_MAX_T = 512;

export type RateSchedule = 'constant' | 'cosine' | 'linear';
export type BudgetRule = 'round' | 'ceil';

/**
 * Masking rate at `step` of `totalSteps` (spec A9, "Learning Better Masking", bert_mrd_pretrain):
 *   constant: p0;  cosine: p0·(1 + cos(π·s/S)) + 0.02  (0.32 → 0.02 at p0 = 0.15);
 *   linear:   2·p0·(1 − s/S).
 * Clamped to [0.01, 1]: a schedule may not stop masking altogether or mask more than every token.
 */
export function scheduledRate(p0: number, schedule: RateSchedule, step: number, totalSteps: number): number {
  const s = Math.min(Math.max(step, 0), totalSteps);
  const S = Math.max(totalSteps, 1);
  const raw = schedule === 'cosine' ? p0 * (1 + Math.cos((Math.PI * s) / S)) + 0.02 : schedule === 'linear' ? 2 * p0 * (1 - s / S) : p0;
  return Math.min(1, Math.max(0.01, raw));
}

/**
 * Tokens to predict in a sequence with L real tokens ([CLS]/[SEP] included, spec §0):
 * min(cap, max(1, rule(L·rate))), rule = round half up (BERT, ELECTRA) or ceil (SpanBERT).
 * L = 0 (an all-padding row) gets 0.
 */
export function budget(L: number, rate: number, cap: number, rule: BudgetRule = 'round'): number {
  if (L <= 0) return 0;
  const x = L * rate;
  // Rounding float products like 20·0.15 = 3.0000000000000004 must not jump a whole token.
  const r = rule === 'ceil' ? Math.ceil(x - 1e-9) : Math.floor(x + 0.5 + 1e-9);
  return Math.min(cap, Math.max(1, r));
}

/** budget(L) for L = 0..BUDGET_MAX_T, packed for a WGSL uniform array<vec4<u32>, 129>. */
export function budgetTable(rate: number, cap: number, rule: BudgetRule = 'round'): Uint32Array {
  const table = new Uint32Array(BUDGET_MAX_T + 4);
  for (let L = 0; L <= BUDGET_MAX_T; L++) table[L] = budget(L, rate, cap, rule);
  return table;
}

/** Prediction slots per sequence for a rate: round(T·rate)+1 (T=128, 15% → 20, as BERT), ≤ T. */
export function defaultMaxPredictions(T: number, rate: number): number {
  return Math.min(T, Math.max(1, Math.round(T * rate)) + 1);
}

/**
 * Prediction slots P per sequence for a masking config: the maxPredictions parameter when set;
 * T when the strategy's peakRate is the whole row (masked diffusion); otherwise the default for
 * the highest rate the run will use (a cosine schedule starts at 2·p0 + 0.02, a linear one at
 * 2·p0, a strategy's peakRate parameter such as attention-guided masking's ratioMax).
 */
export function predictionSlots(strategy: string, params: Readonly<Record<string, number | string>>, T: number): number {
  const cap = Number(params.maxPredictions ?? 0);
  if (cap > 0) return Math.min(T, cap);
  const peakRate = strategyById(strategy)?.peakRate;
  if (peakRate === 'row') return T;
  const rate = Number(params.rate ?? 0.15);
  const schedule = String(params.schedule ?? 'constant');
  let peak = schedule === 'cosine' ? 2 * rate + 0.02 : schedule === 'linear' ? 2 * rate : rate;
  if (peakRate) peak = Math.max(peak, Number(params[peakRate] ?? rate));
  return defaultMaxPredictions(T, Math.min(1, peak));
}
