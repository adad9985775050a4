// The masking lab on the CPU: the bit-identical twin of the GPU pipeline (lab.ts) — selection
// of one kind per strategy (selection-kinds.ts), then the shared writer: corruption
// (MASK/RANDOM/KEEP per token or per unit), prediction slots, the mask record and row
// statistics — plus the twins of the attention-score and stats kernels. Tests compare the GPU
// against these, and statistics are measured on them (fast, in Node).
// The rules both sides share (salts, thresholds, tables, fixed point) are in lab-rules.ts.
// Not here: building units (units.ts), anything on the GPU.
import { hash4 } from '../data/prng.ts';
import { RECORD, SPECIAL } from './reference.ts';
import { diffusionTime, diffusionWeight, labStep, type LabParams, type LabStep, RECORD_FALLBACK, SALT } from './lab-rules.ts';
import { attentionFallback, rowLength, selectBernoulli, selectScores, selectShuffle, selectSpans, selectWeighted, type RowCtx, type SpanTrace } from './selection-kinds.ts';

export { labParams, labStep, type LabParams, type LabStep } from './lab-rules.ts';
export type { SpanTrace } from './selection-kinds.ts';

export interface LabShape {
  B: number;
  T: number;
  P: number;
  V: number;
}

export interface LabInput {
  /** (B,T) original ids. */
  tokens: Uint32Array;
  /** (B,T) unit words from buildUnits. */
  units: Uint32Array;
  /** (B,T) sampling weights (weighted strategies; zeros otherwise). */
  weights: Uint32Array;
  /** (B,T) attention scores (attention strategy), as the GPU computed them. */
  scores?: Float32Array;
}

export interface LabOutput {
  inputs: Uint32Array;
  positions: Uint32Array;
  targets: Uint32Array;
  weights: Float32Array;
  record: Uint32Array;
  rowStats: Uint32Array;
  /** Span draws (spans kind), when asked for with { trace: true }. */
  spans?: SpanTrace[];
}

/** Random replacement for token t: uniform over ordinary ids, or a unigram draw via the cdf. */
export function randomToken(p: LabParams, step: number, b: number, t: number): number {
  const h = hash4((p.seed ^ SALT.TOKEN) >>> 0, step >>> 0, b, t);
  if (p.randomFrom === 'uniform') return SPECIAL.FIRST_ORDINARY + (h % (p.V - SPECIAL.FIRST_ORDINARY));
  const r = h % p.cdfTotal;
  let lo: number = SPECIAL.FIRST_ORDINARY;
  let hi = p.V - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (p.cdf[mid]! > r) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * The writer for row b (masking_lab_write.wgsl): walks the row in order; each marked position gets
 * the next slot, a corruption kind (diffusion: always [MASK], weight 1/t), and its record
 * kind | fallback << 2 | unit << 8; the rest of the slots are zero; rowStats
 * [L, masked, MASK, RANDOM, KEEP, units masked, fallback, 0].
 */
function writeRow(c: RowCtx, out: LabOutput): void {
  const { params: p, st, b, T, o } = c;
  const P = p.P;
  const step = st.step >>> 0;
  const fallback = p.kind === 'scores' && attentionFallback(p, st, b);
  const diffusion = p.kind === 'bernoulli';
  const w = diffusion ? diffusionWeight(diffusionTime(p.seed, step, b, c.B, p.eps24).tq) : 1;
  const L = rowLength(c);
  const s = [L, 0, 0, 0, 0, 0, fallback ? 1 : 0, 0];
  let slot = 0;
  let prevMasked = false;
  let prevUnit = 0;
  for (let t = 0; t < T; t++) {
    const i = o + t;
    const m = c.marks[i]!;
    const tok = c.tokens[i]!;
    if ((m & 1) === 0 || slot >= P) {
      out.inputs[i] = tok;
      out.record[i] = 0;
      prevMasked = false;
      continue;
    }
    const unit = m >>> 8;
    let kind: number = RECORD.MASK;
    let x: number = SPECIAL.MASK;
    if (!diffusion) {
      const u24 = hash4((p.seed ^ SALT.KIND) >>> 0, step, b, p.corruptBy === 'unit' ? unit : t) >>> 8;
      if (u24 >= p.thrMask) {
        kind = u24 < p.thrMaskRandom ? RECORD.RANDOM : RECORD.KEEP;
        x = kind === RECORD.RANDOM ? randomToken(p, step, b, t) : tok;
      }
    }
    const j = b * P + slot++;
    out.positions[j] = t;
    out.targets[j] = tok;
    out.weights[j] = w;
    out.inputs[i] = x;
    out.record[i] = (kind | (fallback ? RECORD_FALLBACK : 0) | (unit << 8)) >>> 0;
    s[1]!++;
    s[1 + kind]!++;
    if (!(prevMasked && prevUnit === unit)) s[5]!++;
    prevMasked = true;
    prevUnit = unit;
  }
  for (; slot < P; slot++) {
    const j = b * P + slot;
    out.positions[j] = 0;
    out.targets[j] = 0;
    out.weights[j] = 0;
  }
  out.rowStats.set(s, b * 8);
}

function check(cond: boolean, msg: string): void {
  if (!cond) throw new Error(`masking lab reference: ${msg}`);
}

/**
 * tokens/units/weights (B,T) (+ scores for attention) → inputs (B,T), positions/targets (B,P) u32,
 * weights (B,P) f32, record (B,T), rowStats (B,8): what the GPU lab produces for (seed, step).
 * `opts.trace` also returns the span draws (lengths, cuts) for statistics.
 */
export function maskingLabReference(input: LabInput, shape: LabShape, params: LabParams, step: number, opts: { trace?: boolean; stepInfo?: LabStep } = {}): LabOutput {
  const { B, T, P, V } = shape;
  check(T === params.T && P === params.P && V === params.V, `shape (T=${T}, P=${P}, V=${V}) differs from the params (T=${params.T}, P=${params.P}, V=${params.V})`);
  for (const [name, a] of [['tokens', input.tokens], ['units', input.units], ['weights', input.weights]] as const) check(a.length === B * T, `${name} has ${a.length} elements, expected B·T = ${B * T}`);
  check(params.kind !== 'scores' || input.scores?.length === B * T, 'the attention strategy needs scores (B,T)');
  const st = opts.stepInfo ?? labStep(params, step);
  const out: LabOutput = {
    inputs: new Uint32Array(B * T),
    positions: new Uint32Array(B * P),
    targets: new Uint32Array(B * P),
    weights: new Float32Array(B * P),
    record: new Uint32Array(B * T),
    rowStats: new Uint32Array(B * 8),
    ...(opts.trace ? { spans: [] } : {}),
  };
  const aux = params.kind === 'scores' ? new Uint32Array(input.scores!.buffer, input.scores!.byteOffset, B * T) : input.weights;
  const marks = new Uint32Array(B * T);
  for (let b = 0; b < B; b++) {
    const c: RowCtx = { b, B, T, o: b * T, tokens: input.tokens, units: input.units, aux, marks, params, st };
    if (params.kind === 'shuffle') selectShuffle(c);
    else if (params.kind === 'spans') selectSpans(c, out.spans);
    else if (params.kind === 'weighted') selectWeighted(c);
    else if (params.kind === 'scores') selectScores(c);
    else selectBernoulli(c);
    writeRow(c, out);
  }
  return out;
}

/** scores (B,T) = mean over heads of probs (B,NH,T,T) row 0: heads summed in order, times f32(1/NH). */
export function attentionScoresReference(probs: Float32Array, B: number, NH: number, T: number): Float32Array {
  check(probs.length === B * NH * T * T, `probs has ${probs.length} elements, expected B·NH·T·T = ${B * NH * T * T}`);
  const inv = Math.fround(1 / NH);
  const out = new Float32Array(B * T);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      let s = 0;
      for (let h = 0; h < NH; h++) s = Math.fround(s + probs[(b * NH + h) * T * T + t]!);
      out[b * T + t] = Math.fround(s * inv);
    }
  }
  return out;
}

/** stats (8) = column sums of rowStats (B,8): [L, masked, MASK, RANDOM, KEEP, units, fallback rows, 0]. */
export function maskStatsReference(rowStats: Uint32Array, B: number): Uint32Array {
  const s = new Uint32Array(8);
  for (let b = 0; b < B; b++) for (let j = 0; j < 8; j++) s[j] = (s[j]! + rowStats[b * 8 + j]!) >>> 0;
  return s;
}
