// The masking lab's shared rules: everything the CPU twin (selection.ts) and the GPU launcher
// (lab.ts) must agree on — kind codes, salts, u24 thresholds, length tables, the per-step budget
// table, the uniform block, and the fixed-point helpers (24×24-bit multiply-high in 12-bit
// halves, stratified diffusion times). One function computes each value for both sides, so they
// cannot round differently; masking_lab_common.wgsl repeats the constants (a unit test checks
// the two copies against each other).
// Not here: choosing positions (selection*.ts, masking_lab*.wgsl), unit structure (units.ts).
import { hash4 } from '../data/prng.ts';
import { budget, BUDGET_MAX_T, predictionSlots, scheduledRate, type BudgetRule, type RateSchedule } from './budget.ts';
import { SALT_KIND, SALT_TOKEN, SPECIAL } from './reference.ts';
import { strategyById, type MaskingConfig, type SelectionKind } from './registry.ts';

export { SALT_KIND, SALT_TOKEN };

/** units word: bits 0–15 unit index (NO_UNIT = not maskable), bits 16–23 class flags. */
export const NO_UNIT = 0xffff;
export const CLASS_ENTITY = 1 << 16;
export const CLASS_NOUN = 2 << 16;
export const CLASS_VERB = 4 << 16;
/** record bit 2: the attention strategy fell back to random masking for this row. */
export const RECORD_FALLBACK = 4;
/** rowStats columns (B,8). */
export const ROW_STATS = ['L', 'masked', 'mask', 'random', 'keep', 'units', 'fallback', 'zero'] as const;

export const KIND_CODE: Readonly<Record<SelectionKind, number>> = { shuffle: 0, spans: 1, weighted: 2, scores: 3, bernoulli: 4 };
/** GPU entry point of each selection kind (spans lives in masking_lab_spans.wgsl). */
export const KIND_ENTRY: Readonly<Record<SelectionKind, { file: string; entry: string }>> = {
  shuffle: { file: 'masking_lab.wgsl', entry: 'lab_shuffle' },
  spans: { file: 'masking_lab_spans.wgsl', entry: 'lab_spans' },
  weighted: { file: 'masking_lab.wgsl', entry: 'lab_weighted' },
  scores: { file: 'masking_lab.wgsl', entry: 'lab_scores' },
  bernoulli: { file: 'masking_lab.wgsl', entry: 'lab_bernoulli' },
};
export const SPAN_MODE = { lengths: 0, entity: 1 } as const;
export const ATTENTION_MODE = { high: 0, low: 1, hint: 2 } as const;

/**
 * Seed salts: every decision has its own stream hash4(seed ^ SALT, step, b, k). The shuffle score
 * is hash4(seed, step, b, unit) unsalted, like the [B] kernel, so lab "random" == [B] random.
 */
export const SALT = {
  KIND: SALT_KIND, // corruption kind, per token t or per unit index
  TOKEN: SALT_TOKEN, // random replacement id, per token t
  SPAN_LEN: 0x3c6ef372, // span / n-gram length of draw k
  ANCHOR: 0xa54ff53a, // anchor of draw k
  ENTITY: 0x510e527f, // entity-or-word coin of draw k
  PICK: 0x9b05688c, // which fitting unit of the pool, draw k
  WEIGHTED: 0x1f83d9ab, // frequency-weighted draw k
  APPLY: 0x5be0cd19, // attention: use the scores for row b (else random)
  HINT: 0xcbbb9d5d, // attention hint: reveal draw k
  RATIO: 0x629a292a, // attention ratio r of a step (CPU only: goes into the table)
  TIME: 0x9159015a, // diffusion time of row b
  BERN: 0x152fecd8, // diffusion: mask token t
} as const;

export const U24 = 1 << 24;

/** floor(p·2^24) clamped to [0, 2^24]: `h >> 8 < thr` happens with probability p (exactly, in u24). */
export function u24Threshold(p: number): number {
  return Math.max(0, Math.min(U24, Math.floor(p * U24)));
}

/**
 * floor(a·b / 2^24) for a, b < 2^24 with 12-bit halves, so every partial product fits a u32 —
 * the same steps as mulhi24 in WGSL (which has no 64-bit integers). Exact: the middle sum is an
 * integer, and floor(x / 2^12) may be taken in two steps.
 */
export function mulhi24(a: number, b: number): number {
  const ah = a >>> 12;
  const al = a & 0xfff;
  const bh = b >>> 12;
  const bl = b & 0xfff;
  const mid = ah * bl + al * bh + ((al * bl) >>> 12); // < 2^25 + 2^12
  return ah * bh + (mid >>> 12);
}

/**
 * Masked-diffusion time of row b (MDLM _sample_t, antithetic = stratified): u_b uniform per row,
 * t24 = floor((u_b + b)·2^24 / B), so row b's time lies in its own 1/B stratum; then
 * tq = ε + (1−ε)·t (24-bit fixed point) and the mask probability p24 = (1−ε)·tq. Integer only.
 * b·2^24 overflows a u32, hence the split 2^24 = q·B + r.
 */
export function diffusionTime(seed: number, step: number, b: number, B: number, eps24: number): { t24: number; tq: number; p24: number } {
  const u24 = hash4((seed ^ SALT.TIME) >>> 0, step >>> 0, b, 0) >>> 8;
  const q = Math.floor(U24 / B);
  const r = U24 % B;
  const t24 = (b * q + Math.floor((u24 + b * r) / B)) & 0xffffff;
  const tq = eps24 + mulhi24(U24 - eps24, t24);
  return { t24, tq, p24: mulhi24(U24 - eps24, tq) };
}

/** Loss weight 1/t of a diffusion row, as the GPU computes it: f32(2^24) / f32(tq), rounded to f32. */
export function diffusionWeight(tq: number): number {
  return Math.fround(U24 / tq);
}

/**
 * Sort key of an f32 score (its bits) such that u32 order = float order (sign-flip trick), then
 * complemented for 'high'/'hint' so that "ascending key" always means "pick first".
 */
export function scoreKey(bits: number, descending: boolean): number {
  const k = bits & 0x80000000 ? ~bits >>> 0 : (bits | 0x80000000) >>> 0;
  return descending ? ~k >>> 0 : k;
}

/** Up to 20 cumulative u24 entries: draw index i = first with u24 < cum[i] (last is 2^24). */
export const LEN_TABLE_SIZE = 20;

/** Cumulative u24 table of normalised weights (the length distribution of spans / n-grams). */
export function cumulativeU24(weights: readonly number[]): Uint32Array {
  if (weights.length < 1 || weights.length > LEN_TABLE_SIZE) throw new Error(`masking lab: ${weights.length} length weights; 1..${LEN_TABLE_SIZE} allowed`);
  const total = weights.reduce((a, b) => a + b, 0);
  if (!(total > 0) || weights.some((w) => !(w >= 0))) throw new Error(`masking lab: length weights must be ≥ 0 with a positive sum, got ${weights.join(',')}`);
  const cum = new Uint32Array(LEN_TABLE_SIZE);
  let acc = 0;
  weights.forEach((w, i) => {
    acc += w;
    cum[i] = Math.min(U24, Math.round((acc / total) * U24));
  });
  for (let i = weights.length - 1; i < LEN_TABLE_SIZE; i++) cum[i] = U24;
  return cum;
}

/** SpanBERT's truncated geometric: P(ℓ) ∝ p(1−p)^(ℓ−min), ℓ = min..max. */
export function geometricWeights(p: number, min: number, max: number): number[] {
  return Array.from({ length: max - min + 1 }, (_, i) => p * (1 - p) ** i);
}

export interface LabParams {
  strategy: string;
  kind: SelectionKind;
  seed: number;
  totalSteps: number;
  T: number;
  P: number;
  V: number;
  rate: number;
  schedule: RateSchedule;
  rule: BudgetRule;
  /** min(P, predictionSlots(strategy, params, T)). */
  cap: number;
  thrMask: number;
  thrMaskRandom: number;
  randomFrom: 'uniform' | 'unigram';
  corruptBy: 'token' | 'unit';
  /** (V) cumulative unigram counts over ordinary ids (0 below id 5); upload once. */
  cdf: Uint32Array;
  cdfTotal: number;
  spanMode: keyof typeof SPAN_MODE;
  lenMin: number;
  lenCount: number;
  lenCdf: Uint32Array;
  thrEntity: number;
  attentionMode: keyof typeof ATTENTION_MODE;
  ratioMin: number;
  ratioMax: number;
  thrApply: number;
  showMax: number;
  eps24: number;
  /** Bound on span draws per row (8·T): the loop always ends. */
  maxDraws: number;
}

/**
 * Cumulative counts of ordinary ids (5..V−1). Counts are halved (a non-zero count stays ≥ 1)
 * until the total fits 31 bits, so `h % total` stays a u32 operation with small bias.
 */
export function unigramCdf(unigram: Uint32Array, V: number): { cdf: Uint32Array; total: number } {
  const count = (v: number, shift: number) => (v < unigram.length && unigram[v]! > 0 ? Math.max(1, Math.floor(unigram[v]! / 2 ** shift)) : 0);
  const sum = (shift: number) => {
    let total = 0;
    for (let v = SPECIAL.FIRST_ORDINARY; v < V; v++) total += count(v, shift);
    return total;
  };
  let shift = 0;
  while (sum(shift) >= 2 ** 31) shift++;
  const cdf = new Uint32Array(V);
  let acc = 0;
  for (let v = SPECIAL.FIRST_ORDINARY; v < V; v++) cdf[v] = acc += count(v, shift);
  return { cdf, total: acc };
}

/** The run-constant part of the lab: thresholds and tables from a validated masking config. */
export function labParams(cfg: MaskingConfig, opts: { seed: number; totalSteps: number; T: number; P: number; V: number; unigram: Uint32Array }): LabParams {
  const spec = strategyById(cfg.strategy);
  const bad = (msg: string): never => {
    throw new Error(`masking lab (${cfg.strategy}): ${msg}`);
  };
  if (!spec) bad('unknown strategy');
  const { seed, totalSteps, T, P, V } = opts;
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) bad(`seed must be a u32, got ${seed}`);
  if (!Number.isInteger(T) || T < 1 || T > BUDGET_MAX_T) bad(`T must be in 1..${BUDGET_MAX_T}, got ${T}`);
  if (!Number.isInteger(P) || P < 1) bad(`P must be an integer ≥ 1, got ${P}`);
  if (!Number.isInteger(V) || V <= SPECIAL.FIRST_ORDINARY) bad(`V must exceed ${SPECIAL.FIRST_ORDINARY}, got ${V}`);
  if (!Number.isInteger(totalSteps) || totalSteps < 1) bad(`totalSteps must be an integer ≥ 1, got ${totalSteps}`);
  const p = cfg.params;
  const num = (k: string, d = 0) => (p[k] === undefined ? d : Number(p[k]));
  const str = (k: string, d: string) => (p[k] === undefined ? d : String(p[k]));
  const kind = spec!.selection;
  const lengths = cfg.strategy === 'span' ? geometricWeights(num('p', 0.2), num('min', 1), num('max', 10)) : str('probs', '0.4,0.3,0.2,0.1').split(',').map(Number);
  const wantUnigram = str('randomFrom', 'uniform') === 'unigram';
  const { cdf, total } = unigramCdf(opts.unigram, V);
  return {
    strategy: cfg.strategy,
    kind,
    seed: seed >>> 0,
    totalSteps,
    T,
    P,
    V,
    rate: num('rate', 0.15),
    schedule: str('schedule', 'constant') as RateSchedule,
    rule: cfg.strategy === 'span' || cfg.strategy === 'ngram' ? 'ceil' : 'round',
    cap: Math.min(P, predictionSlots(cfg.strategy, p, T)),
    thrMask: u24Threshold(num('maskProb', 0.8)),
    thrMaskRandom: u24Threshold(num('maskProb', 0.8) + num('randomProb', 0.1)),
    // No counts (e.g. an empty unigram) → uniform, so `h % total` never divides by 0.
    randomFrom: wantUnigram && total > 0 ? 'unigram' : 'uniform',
    corruptBy: str('corruptBy', 'token') === 'unit' ? 'unit' : 'token',
    cdf,
    cdfTotal: total,
    spanMode: cfg.strategy === 'entity' ? 'entity' : 'lengths',
    lenMin: cfg.strategy === 'span' ? num('min', 1) : 1,
    lenCount: kind === 'spans' && cfg.strategy !== 'entity' ? lengths.length : 1,
    lenCdf: kind === 'spans' && cfg.strategy !== 'entity' ? cumulativeU24(lengths) : cumulativeU24([1]),
    thrEntity: u24Threshold(num('entityProb', 0.5)),
    attentionMode: str('mode', 'high') as keyof typeof ATTENTION_MODE,
    ratioMin: num('ratioMin', 0.1),
    ratioMax: num('ratioMax', 0.5),
    thrApply: u24Threshold(num('applyProb', 0.5)),
    showMax: num('showMax', 0.1),
    eps24: Math.max(1, Math.round(num('eps', 1e-3) * U24)),
    maxDraws: 8 * T,
  };
}

export interface LabStep {
  step: number;
  /** This step's scheduled mask rate (attention: the drawn ratio r; diffusion: unused). */
  rate: number;
  /**
   * (516) budget per L = 0..512, low 16 bits; attention hint mode: reveal count in bits 16+.
   * Diffusion: min(cap, L), the most a row may mask.
   */
  budget: Uint32Array;
  /** Attention at step 0: every row masks at random (no trained attention exists yet). */
  forceRandom: boolean;
}

/** Attention ratio r of a step: U(ratioMin, ratioMax) from hash4(seed ^ SALT.RATIO, step, 0, 0). */
export function attentionRatio(params: LabParams, step: number): number {
  const u = (hash4((params.seed ^ SALT.RATIO) >>> 0, step >>> 0, 0, 0) >>> 8) / U24;
  return params.ratioMin + (params.ratioMax - params.ratioMin) * u;
}

/**
 * The per-step part: rate (schedule), budget table, step-0 flag. `forceRandom` (attention only)
 * defaults to step === 0, the first training step; the own-mask eval, whose "step" is a batch
 * index, passes false (the model is trained by then).
 */
export function labStep(params: LabParams, step: number, opts: { forceRandom?: boolean } = {}): LabStep {
  if (!Number.isInteger(step) || step < 0 || step > 0xffffffff) throw new Error(`masking lab: step must be a u32, got ${step}`);
  const table = new Uint32Array(BUDGET_MAX_T + 4);
  let rate = scheduledRate(params.rate, params.schedule, step, params.totalSteps);
  if (params.kind === 'bernoulli') {
    for (let L = 0; L <= BUDGET_MAX_T; L++) table[L] = Math.min(params.cap, L);
  } else if (params.kind === 'scores') {
    // n = max(1, ⌊r·L⌋) (AttMask's int(N·ratio), at least one so every row has a target);
    // hint: reveal ⌊showMax·r·L⌋ of them.
    rate = attentionRatio(params, step);
    for (let L = 1; L <= BUDGET_MAX_T; L++) {
      const n = Math.min(params.cap, Math.max(1, Math.floor(rate * L)));
      const hint = params.attentionMode === 'hint' ? Math.min(n, Math.floor(params.showMax * rate * L)) : 0;
      table[L] = (n | (hint << 16)) >>> 0;
    }
  } else {
    for (let L = 0; L <= BUDGET_MAX_T; L++) table[L] = budget(L, rate, params.cap, params.rule);
  }
  return { step, rate, budget: table, forceRandom: params.kind === 'scores' && (opts.forceRandom ?? step === 0) };
}

/** Words of the uniform block (struct LabParams in masking_lab_common.wgsl). */
export const LAB_UNIFORM_WORDS = 40;

/** The uniform block for a batch of B rows at this step, in WGSL struct order. */
export function labUniforms(params: LabParams, B: number, st: LabStep): Uint32Array {
  const u = new Uint32Array(LAB_UNIFORM_WORDS);
  u.set([B, params.T, params.P, params.V]);
  u.set([params.seed, st.step >>> 0, KIND_CODE[params.kind], params.kind === 'scores' ? ATTENTION_MODE[params.attentionMode] : SPAN_MODE[params.spanMode]], 4);
  u.set([params.thrMask, params.thrMaskRandom, params.randomFrom === 'unigram' ? 1 : 0, params.cdfTotal], 8);
  u.set([params.corruptBy === 'unit' ? 1 : 0, st.forceRandom ? 1 : 0, params.thrApply, params.eps24], 12);
  u.set([params.lenCount, params.lenMin, params.thrEntity, params.maxDraws], 16);
  u.set(params.lenCdf, 20);
  return u;
}
