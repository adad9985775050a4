// For the masking-lab tests only: runs the CPU twin over many seeded batches and checks the
// invariants every strategy must keep (slots in position order, targets = original ids, inputs
// and record consistent, rowStats consistent, budget and P respected, whole units), collecting
// broken ones as messages (one expect at the end; per-element expects are slow in Node).
// Not used by the app.
import type { Batch } from '../data/batcher.ts';
import { RECORD, SPECIAL } from './reference.ts';
import { parseMaskingConfig, type MaskingConfig, type ParamValue } from './registry.ts';
import { labParams, labStep, type LabParams, type LabStep, NO_UNIT } from './lab-rules.ts';
import { maskingLabReference, type LabOutput } from './selection.ts';
import { buildUnits, type Units } from './units.ts';
import { TEST_TAGS, testBatch, type TestBatchOpts, zipfCounts } from './lab-testing.ts';

export const TEST_V = 1000;
export const TEST_COUNTS = zipfCounts(TEST_V);

export function config(strategy: string, params: Record<string, ParamValue> = {}): MaskingConfig {
  const { config, problems } = parseMaskingConfig(strategy, params);
  if (!config) throw new Error(problems.map((p) => p.message).join('\n'));
  return config;
}

export interface SimStep {
  step: number;
  batch: Batch;
  u: Units;
  out: LabOutput;
  st: LabStep;
  params: LabParams;
}

export interface SimOpts {
  B?: number;
  T?: number;
  P?: number;
  steps?: number;
  firstStep?: number;
  seed?: number;
  totalSteps?: number;
  batch?: TestBatchOpts;
  scores?: (batch: Batch) => Float32Array;
  /** Units are never split (whole-unit strategies). */
  wholeUnits?: boolean;
  trace?: boolean;
  /** Training counts (default TEST_COUNTS) for the cdf and frequency weights. */
  unigram?: Uint32Array;
  /** Changes each batch before units are built (constructed rows). */
  prepare?: (batch: Batch) => void;
}

/** Runs `steps` steps of the CPU twin; returns the invariant problems found (empty = fine). */
export function simulate(cfg: MaskingConfig, opts: SimOpts, each: (s: SimStep) => void = () => {}): string[] {
  const B = opts.B ?? 64;
  const T = opts.T ?? 128;
  const params = labParams(cfg, { seed: opts.seed ?? 1234, totalSteps: opts.totalSteps ?? 1000, T, P: opts.P ?? 512, V: TEST_V, unigram: opts.unigram ?? TEST_COUNTS });
  const P = params.P;
  const problems: string[] = [];
  const bad = (ok: boolean, what: () => string) => {
    if (!ok && problems.length < 10) problems.push(what());
  };
  for (let k = 0; k < (opts.steps ?? 20); k++) {
    const step = (opts.firstStep ?? 0) + k;
    const batch = testBatch(B, T, TEST_COUNTS, 1000 + step * 7 + T, opts.batch);
    opts.prepare?.(batch);
    const u = buildUnits(cfg, batch, { tagNames: TEST_TAGS, unigram: opts.unigram ?? TEST_COUNTS });
    const scores = opts.scores?.(batch);
    const st = labStep(params, step);
    const out = maskingLabReference({ tokens: batch.ids, units: u.units, weights: u.weights, ...(scores ? { scores } : {}) }, { B, T, P, V: TEST_V }, params, step, { trace: opts.trace ?? false, stepInfo: st });
    for (let b = 0; b < B; b++) {
      const o = b * T;
      const where = `step ${step} row ${b}`;
      let L = 0;
      let slot = 0;
      const kinds = [0, 0, 0, 0];
      for (let t = 0; t < T; t++) {
        const i = o + t;
        const tok = batch.ids[i]!;
        if (tok !== SPECIAL.PAD) L++;
        const r = out.record[i]!;
        const kind = r & 3;
        if (kind === RECORD.NONE) {
          bad(out.inputs[i] === tok && r === 0, () => `${where} t ${t}: unmasked but input ${out.inputs[i]} / record ${r}`);
          continue;
        }
        kinds[kind]!++;
        bad((u.units[i]! & 0xffff) !== NO_UNIT, () => `${where} t ${t}: masked a non-maskable position (token ${tok})`);
        bad(r >>> 8 === (u.units[i]! & 0xffff), () => `${where} t ${t}: record unit ${r >>> 8} ≠ unit ${u.units[i]! & 0xffff}`);
        bad(out.positions[b * P + slot] === t && out.targets[b * P + slot] === tok && out.weights[b * P + slot]! > 0, () => `${where}: slot ${slot} is not position ${t}`);
        slot++;
        const x = out.inputs[i]!;
        bad(kind === RECORD.MASK ? x === SPECIAL.MASK : kind === RECORD.KEEP ? x === tok : x >= SPECIAL.FIRST_ORDINARY && x < TEST_V, () => `${where} t ${t}: kind ${kind} with input ${x}`);
      }
      for (let s = slot; s < P; s++) bad(out.positions[b * P + s] === 0 && out.targets[b * P + s] === 0 && out.weights[b * P + s] === 0, () => `${where}: unused slot ${s} not zero`);
      const rs = out.rowStats.subarray(b * 8, b * 8 + 8);
      bad(rs[0] === L && rs[1] === slot && rs[2] === kinds[1] && rs[3] === kinds[2] && rs[4] === kinds[3] && rs[7] === 0, () => `${where}: rowStats ${rs.join(',')} vs L ${L}, masked ${slot}, kinds ${kinds.join(',')}`);
      bad(slot <= (st.budget[L]! & 0xffff) && slot <= P, () => `${where}: ${slot} masked > budget ${st.budget[L]! & 0xffff}`);
      if (opts.wholeUnits) {
        for (let t = 1; t < T; t++) {
          const same = (u.units[o + t]! & 0xffff) !== NO_UNIT && (u.units[o + t]! & 0xffff) === (u.units[o + t - 1]! & 0xffff);
          bad(!same || (out.record[o + t] === 0) === (out.record[o + t - 1] === 0), () => `${where} t ${t}: unit ${u.units[o + t]! & 0xffff} split`);
        }
      }
    }
    each({ step, batch, u, out, st, params });
  }
  return problems;
}
