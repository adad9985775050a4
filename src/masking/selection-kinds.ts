// CPU twins of the masking lab's selection kernels (masking_lab.wgsl, masking_lab_spans.wgsl),
// one function per SelectionKind, each choosing the positions of one row. They mark chosen
// positions in `marks` (the record array) as 1 | unit << 8, exactly as the GPU does before the
// writer runs. Loops follow the WGSL line for line where order matters (draw k, scan order, tie
// breaks); where the GPU repeats a scan the CPU may sort instead, with the same result.
// Not here: corruption, slots and statistics (the writer, selection.ts), unit structure (units.ts).
import { hash4 } from '../data/prng.ts';
import { SPECIAL } from './reference.ts';
import { CLASS_ENTITY, diffusionTime, type LabParams, type LabStep, NO_UNIT, SALT, scoreKey } from './lab-rules.ts';

export interface RowCtx {
  b: number;
  B: number;
  T: number;
  /** b·T: the row's offset in every (B,T) array. */
  o: number;
  tokens: Uint32Array;
  units: Uint32Array;
  /** weights (weighted) or f32 score bits (scores), (B,T). */
  aux: Uint32Array;
  /** (B,T) output: 1 | unit << 8 at chosen positions, 0 elsewhere. */
  marks: Uint32Array;
  params: LabParams;
  st: LabStep;
}

/** A span draw that masked or met something (spans kind), for statistics in tests. */
export interface SpanTrace {
  b: number;
  k: number;
  /** Drawn length in units (entity: 1). */
  want: number;
  /** Units covered: newly masked or passed over because already masked. */
  got: number;
  /** 0 = complete, 1 = cut by the budget (a unit did not fit), 2 = cut by the row end. */
  cut: 0 | 1 | 2;
  start: number;
  end: number;
  entity: boolean;
}

const unitAt = (c: RowCtx, t: number) => c.units[c.o + t]! & 0xffff;
const mark = (c: RowCtx, t: number) => (c.marks[c.o + t] = (1 | (unitAt(c, t) << 8)) >>> 0);

/** Non-[PAD] tokens of the row ([CLS] and [SEP] included): the L of the budget rule. */
export function rowLength(c: RowCtx): number {
  let L = 0;
  for (let t = 0; t < c.T; t++) if (c.tokens[c.o + t] !== SPECIAL.PAD) L++;
  return L;
}

function maskableCount(c: RowCtx): number {
  let n = 0;
  for (let t = 0; t < c.T; t++) if (unitAt(c, t) !== NO_UNIT) n++;
  return n;
}

/** First position after the unit that covers t. */
function unitEnd(c: RowCtx, t: number): number {
  const u = unitAt(c, t);
  let e = t + 1;
  while (e < c.T && unitAt(c, e) === u) e++;
  return e;
}

/** shuffle: units in ascending (hash4(seed, step, b, unit), unit); take each that fits. */
export function selectShuffle(c: RowCtx): void {
  const { params: p, st } = c;
  const list: { s: number; u: number; start: number; size: number }[] = [];
  let prev = NO_UNIT;
  for (let t = 0; t < c.T; t++) {
    const u = unitAt(c, t);
    c.marks[c.o + t] = 0;
    if (u !== NO_UNIT && u !== prev) list.push({ s: hash4(p.seed, st.step >>> 0, c.b, u), u, start: t, size: 0 });
    if (u !== NO_UNIT) list[list.length - 1]!.size++;
    prev = u;
  }
  list.sort((x, y) => x.s - y.s || x.u - y.u);
  let remaining = st.budget[rowLength(c)]! & 0xffff;
  for (const e of list) {
    if (remaining === 0) break;
    if (e.size > remaining) continue; // BERT whole-word masking skips a unit that would overflow
    for (let t = e.start; t < e.start + e.size; t++) mark(c, t);
    remaining -= e.size;
  }
}

/** weighted: n draws without replacement, r = h % (remaining weight), walk the cumulative sum. */
export function selectWeighted(c: RowCtx): void {
  const { params: p, st } = c;
  let wrem = 0;
  for (let t = 0; t < c.T; t++) {
    c.marks[c.o + t] = 0;
    if (unitAt(c, t) !== NO_UNIT) wrem += c.aux[c.o + t]!;
  }
  const n = st.budget[rowLength(c)]! & 0xffff;
  for (let k = 0; k < n && wrem > 0; k++) {
    let r = hash4((p.seed ^ SALT.WEIGHTED) >>> 0, st.step >>> 0, c.b, k) % wrem;
    for (let t = 0; t < c.T; t++) {
      if (unitAt(c, t) === NO_UNIT || c.marks[c.o + t] !== 0) continue;
      const w = c.aux[c.o + t]!;
      if (r < w) {
        mark(c, t);
        wrem -= w;
        break;
      }
      r -= w;
    }
  }
}

/** Whether the attention strategy falls back to random masking for row b this step. */
export function attentionFallback(p: LabParams, st: LabStep, b: number): boolean {
  return st.forceRandom || hash4((p.seed ^ SALT.APPLY) >>> 0, st.step >>> 0, b, 0) >>> 8 >= p.thrApply;
}

/** scores: the n smallest keys (ties: lower t); hint mode then reveals some of the top 10%. */
export function selectScores(c: RowCtx): void {
  const { params: p, st } = c;
  const fallback = attentionFallback(p, st, c.b);
  const cands: { key: number; t: number }[] = [];
  for (let t = 0; t < c.T; t++) {
    c.marks[c.o + t] = 0;
    if (unitAt(c, t) === NO_UNIT) continue;
    const key = fallback ? hash4(p.seed, st.step >>> 0, c.b, t) : scoreKey(c.aux[c.o + t]!, p.attentionMode !== 'low');
    cands.push({ key, t });
  }
  const entry = st.budget[rowLength(c)]!;
  const n = Math.min(entry & 0xffff, cands.length);
  cands.sort((x, y) => x.key - y.key || x.t - y.t);
  for (let r = 0; r < n; r++) c.marks[c.o + cands[r]!.t] = (0x80000000 | r) >>> 0;
  if (!fallback && p.attentionMode === 'hint') {
    const top = Math.min(n, Math.floor(cands.length / 10));
    const h = Math.min(entry >>> 16, top);
    for (let k = 0; k < h; k++) {
      let j = hash4((p.seed ^ SALT.HINT) >>> 0, st.step >>> 0, c.b, k) % (top - k);
      for (let t = 0; t < c.T; t++) {
        const m = c.marks[c.o + t]!;
        if (!(m & 0x80000000) || (m & 0xffff) >= top) continue;
        if (j === 0) {
          c.marks[c.o + t] = 0;
          break;
        }
        j--;
      }
    }
  }
  for (let t = 0; t < c.T; t++) if (c.marks[c.o + t]! & 0x80000000) mark(c, t);
}

/** bernoulli: each maskable token with probability (1−ε)·t_b, in position order, up to the cap. */
export function selectBernoulli(c: RowCtx): void {
  const { params: p, st } = c;
  const n = st.budget[rowLength(c)]! & 0xffff;
  const { p24 } = diffusionTime(p.seed, st.step, c.b, c.B, p.eps24);
  let masked = 0;
  for (let t = 0; t < c.T; t++) {
    c.marks[c.o + t] = 0;
    if (unitAt(c, t) === NO_UNIT || masked >= n) continue;
    if (hash4((p.seed ^ SALT.BERN) >>> 0, st.step >>> 0, c.b, t) >>> 8 < p24) {
      mark(c, t);
      masked++;
    }
  }
}

/** Position of the a-th maskable position (a < maskable count). */
function nthMaskable(c: RowCtx, a: number): number {
  for (let t = 0; t < c.T; t++) if (unitAt(c, t) !== NO_UNIT && a-- === 0) return t;
  throw new Error('nthMaskable: out of range');
}

/** Whether some unmasked unit still fits `rem` tokens. */
function anyFits(c: RowCtx, rem: number): boolean {
  for (let t = 0; t < c.T; ) {
    if (unitAt(c, t) === NO_UNIT) {
      t++;
      continue;
    }
    const e = unitEnd(c, t);
    if (c.marks[c.o + t] === 0 && e - t <= rem) return true;
    t = e;
  }
  return false;
}

/** spans: SpanBERT's loop over draws k (lengths mode) or entity/word picks (entity mode). */
export function selectSpans(c: RowCtx, trace?: SpanTrace[]): void {
  const { params: p, st } = c;
  for (let t = 0; t < c.T; t++) c.marks[c.o + t] = 0;
  const n = st.budget[rowLength(c)]! & 0xffff;
  const C = maskableCount(c);
  if (C === 0 || n === 0) return;
  let masked = 0;
  const seed = (salt: number) => (p.seed ^ salt) >>> 0;
  const step = st.step >>> 0;
  for (let k = 0; k < p.maxDraws && masked < n; k++) {
    if (p.spanMode === 'entity') {
      const got = pickEntity(c, k, n - masked, trace);
      if (got === 0) break;
      masked += got;
      continue;
    }
    const hl = hash4(seed(SALT.SPAN_LEN), step, c.b, k) >>> 8;
    let idx = 0;
    while (idx + 1 < p.lenCount && hl >= p.lenCdf[idx]!) idx++;
    const want = p.lenMin + idx;
    const a = nthMaskable(c, hash4(seed(SALT.ANCHOR), step, c.b, k) % C);
    if (c.marks[c.o + a] !== 0) continue; // anchor already masked: a wasted draw (SpanBERT redraws)
    let s = a;
    const ua = unitAt(c, a);
    while (s > 0 && unitAt(c, s - 1) === ua) s--; // snap to the start of the anchor's unit
    let taken = 0;
    let pos = s;
    let cut: 0 | 1 | 2 = 0;
    while (taken < want) {
      if (pos >= c.T || unitAt(c, pos) === NO_UNIT) {
        cut = 2;
        break;
      }
      const e = unitEnd(c, pos);
      if (c.marks[c.o + pos] === 0) {
        if (e - pos > n - masked) {
          cut = 1; // never split a unit: the one that does not fit ends the span
          break;
        }
        for (let q = pos; q < e; q++) mark(c, q);
        masked += e - pos;
      }
      taken++;
      pos = e;
    }
    trace?.push({ b: c.b, k, want, got: taken, cut, start: s, end: pos, entity: false });
    if (taken === 0 && !anyFits(c, n - masked)) break;
  }
}

/**
 * Entity draw k: with probability entityProb an unmasked proper-noun run that fits, else an
 * unmasked noun/verb word that fits (units.ts marks only the selected classes maskable). An empty
 * entity pool falls back to words; an empty word pool to entities unless entityProb = 0.
 * Returns the tokens masked (0 = nothing fits: the row is done).
 */
function pickEntity(c: RowCtx, k: number, rem: number, trace?: SpanTrace[]): number {
  const { params: p, st } = c;
  let ne = 0;
  let nw = 0;
  for (let t = 0; t < c.T; ) {
    if (unitAt(c, t) === NO_UNIT) {
      t++;
      continue;
    }
    const e = unitEnd(c, t);
    if (c.marks[c.o + t] === 0 && e - t <= rem) {
      if (c.units[c.o + t]! & CLASS_ENTITY) ne++;
      else nw++;
    }
    t = e;
  }
  const wantEntity = hash4((p.seed ^ SALT.ENTITY) >>> 0, st.step >>> 0, c.b, k) >>> 8 < p.thrEntity;
  const useEntity = wantEntity ? ne > 0 : nw === 0 && p.thrEntity > 0;
  const count = useEntity ? ne : nw;
  if (count === 0) return 0;
  let j = hash4((p.seed ^ SALT.PICK) >>> 0, st.step >>> 0, c.b, k) % count;
  for (let t = 0; t < c.T; ) {
    if (unitAt(c, t) === NO_UNIT) {
      t++;
      continue;
    }
    const e = unitEnd(c, t);
    if (c.marks[c.o + t] === 0 && e - t <= rem && (c.units[c.o + t]! & CLASS_ENTITY ? 1 : 0) === (useEntity ? 1 : 0)) {
      if (j === 0) {
        for (let q = t; q < e; q++) mark(c, q);
        trace?.push({ b: c.b, k, want: 1, got: 1, cut: 0, start: t, end: e, entity: useEntity });
        return e - t;
      }
      j--;
    }
    t = e;
  }
  return 0;
}
