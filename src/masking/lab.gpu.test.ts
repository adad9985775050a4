// The masking lab on the GPU == its CPU twin (selection.ts), bit for bit, for every strategy:
// inputs, positions, targets, record, rowStats and stats identical; weights identical (diffusion:
// 1/t within 1e-6 relative, since WGSL f32 division is not correctly rounded). Several seeds and
// steps, B = 33..64, T = 128 and an odd T = 77, varied lengths with the edge rows. Also the
// [CLS]→token attention-score kernel. Statistics of the masks are tested in Node (selection*.test.ts).
import { describe, expect, it } from 'vitest';
import { Arena, ArenaPlan } from '../gpu/arena.ts';
import { StepEncoder } from '../gpu/step-encoder.ts';
import { readF32, readU32 } from '../gpu/readback.ts';
import { msPerRun, testGpu } from '../gpu/testing.ts';
import { hash4, Rng } from '../data/prng.ts';
import { predictionSlots } from './budget.ts';
import { labParams, labStep } from './lab-rules.ts';
import { prepareAttentionScores, prepareMaskingLab } from './lab.ts';
import { TEST_TAGS, testBatch, zipfCounts } from './lab-testing.ts';
import { parseMaskingConfig } from './registry.ts';
import { attentionScoresReference, maskingLabReference, maskStatsReference } from './selection.ts';
import { buildUnits } from './units.ts';
import { opContext } from '../shaders/index.ts';

const V = 1000;
const COUNTS = zipfCounts(V);
const OUTPUTS = ['inputs', 'positions', 'targets', 'weights', 'record', 'rowStats', 'stats'] as const;

function planted(B: number, T: number, step: number): Float32Array {
  const s = new Float32Array(B * T);
  for (let i = 0; i < s.length; i++) s[i] = (hash4(step, 3, i, 0) >>> 8) / 2 ** 24;
  for (let i = 0; i < s.length; i += 7) s[i] = s[i + 1] ?? 0; // some ties (lower position wins)
  return s;
}

interface Case {
  strategy: string;
  params?: Record<string, string | number>;
  B: number;
  T: number;
  seeds: number[];
  steps: number[];
  wg?: number;
  /** Attention: override the step-0 fallback (the own-mask eval passes false). */
  forceRandom?: boolean;
}

/** Runs the GPU lab for each (seed, step) and counts mismatching elements per output. */
async function compare(c: Case): Promise<{ mismatches: Record<string, number>; masked: number; ms: number }> {
  const gpu = await testGpu();
  const ctx = opContext(gpu);
  const { config } = parseMaskingConfig(c.strategy, c.params ?? {});
  const cfg = config!;
  const { B, T } = c;
  const P = predictionSlots(cfg.strategy, cfg.params, T);
  const arena = Arena.build(
    gpu,
    new ArenaPlan()
      .add('batch', 'tokens', [B, T], 'u32')
      .add('batch', 'units', [B, T], 'u32')
      .add('batch', 'unitWeights', [B, T], 'u32')
      .add('batch', 'scores', [B, T])
      .add('batch', 'cdf', [V], 'u32')
      .add('batch', 'inputs', [B, T], 'u32')
      .add('batch', 'positions', [B, P], 'u32')
      .add('batch', 'targets', [B, P], 'u32')
      .add('batch', 'weights', [B, P])
      .add('batch', 'record', [B, T], 'u32')
      .add('batch', 'rowStats', [B, 8], 'u32')
      .add('batch', 'stats', [8], 'u32'),
  );
  const t = (n: string) => arena.get(n);
  const io = { tokens: t('tokens'), units: t('units'), unitWeights: t('unitWeights'), scores: t('scores'), cdf: t('cdf'), inputs: t('inputs'), positions: t('positions'), targets: t('targets'), weights: t('weights'), record: t('record'), rowStats: t('rowStats'), stats: t('stats') };
  const mismatches: Record<string, number> = Object.fromEntries(OUTPUTS.map((o) => [o, 0]));
  let masked = 0;
  let ms = 0;
  let weightBitsDiffer = 0;
  for (const seed of c.seeds) {
    const params = labParams(cfg, { seed, totalSteps: 1000, T, P, V, unigram: COUNTS });
    const op = await prepareMaskingLab(ctx, io, { B, T, P, V }, params, c.wg ? { wg: c.wg } : {});
    for (const step of c.steps) {
      const batch = testBatch(B, T, COUNTS, seed + step);
      const u = buildUnits(cfg, batch, { tagNames: TEST_TAGS, unigram: COUNTS });
      const scores = planted(B, T, step);
      arena.write('tokens', batch.ids);
      arena.write('units', u.units);
      arena.write('unitWeights', u.weights);
      arena.write('scores', scores);
      const stepOpts = c.forceRandom === undefined ? {} : { forceRandom: c.forceRandom };
      op.setStep(step, stepOpts);
      const enc = new StepEncoder(gpu);
      op.record(enc);
      enc.submit();
      const want = maskingLabReference({ tokens: batch.ids, units: u.units, weights: u.weights, scores }, { B, T, P, V }, params, step, { stepInfo: labStep(params, step, stepOpts) });
      const wantAll = { ...want, stats: maskStatsReference(want.rowStats, B) };
      for (const o of OUTPUTS) {
        if (o === 'weights' && cfg.strategy === 'diffusion') {
          const got = await readF32(gpu, io.weights);
          for (let i = 0; i < got.length; i++) {
            if (Math.abs(got[i]! - want.weights[i]!) > 1e-6 * Math.abs(want.weights[i]!)) mismatches.weights!++;
            if (got[i] !== want.weights[i]) weightBitsDiffer++;
          }
          continue;
        }
        const got = await readU32(gpu, io[o]); // f32 weights compared as raw bits
        const w = new Uint32Array(wantAll[o].buffer, wantAll[o].byteOffset, wantAll[o].length);
        for (let i = 0; i < got.length; i++) if (got[i] !== w[i]) mismatches[o]!++;
      }
      masked += wantAll.stats[1]!;
    }
    if (seed === c.seeds[0]) ms = await msPerRun(op, 5);
  }
  arena.destroy();
  console.log(`${c.strategy} ${JSON.stringify(c.params ?? {})} B=${B} T=${T} P=${P} seeds ${c.seeds.join(',')} steps ${c.steps.join(',')}: ${masked} masked, ${ms.toFixed(2)} ms/step (3 dispatches), mismatches ${JSON.stringify(mismatches)}${cfg.strategy === 'diffusion' ? `; weights not bit-identical: ${weightBitsDiffer}` : ''}`);
  return { mismatches, masked, ms };
}

const NONE = Object.fromEntries(OUTPUTS.map((o) => [o, 0]));

const STRATEGIES: { strategy: string; params?: Record<string, string | number> }[] = [
  { strategy: 'random' },
  { strategy: 'random', params: { randomFrom: 'unigram', corruptBy: 'unit', maskProb: 0.4, randomProb: 0.5 } },
  { strategy: 'whole-word', params: { corruptBy: 'unit', schedule: 'cosine' } },
  { strategy: 'span' },
  { strategy: 'span', params: { rate: 0.3, maxPredictions: 8, randomFrom: 'unigram' } },
  { strategy: 'ngram', params: { probs: '0.2,0.3,0.5' } },
  { strategy: 'pmi' },
  { strategy: 'entity' },
  { strategy: 'entity', params: { classes: 'verb', entityProb: 0.9 } },
  { strategy: 'attention', params: { mode: 'high' } },
  { strategy: 'attention', params: { mode: 'low', applyProb: 1 } },
  { strategy: 'attention', params: { mode: 'hint', applyProb: 1, ratioMin: 0.3 } },
  { strategy: 'frequency' },
  { strategy: 'diffusion' },
];

describe('masking lab: GPU == CPU twin, bit for bit', () => {
  for (const s of STRATEGIES) {
    it(`${s.strategy} ${JSON.stringify(s.params ?? {})}: B=64 T=128 and B=33 T=77`, async () => {
      const a = await compare({ ...s, B: 64, T: 128, seeds: [7, 0xfffffff0], steps: [0, 1, 513] });
      expect(a.mismatches).toEqual(NONE);
      expect(a.masked).toBeGreaterThan(0);
      const b = await compare({ ...s, B: 33, T: 77, seeds: [12345], steps: [0, 2], wg: 64 });
      expect(b.mismatches).toEqual(NONE);
    });
  }
});

describe('masking lab: attention without the step-0 fallback (own-mask eval)', () => {
  it('attention high at step 0 with forceRandom false uses the scores', async () => {
    const r = await compare({ strategy: 'attention', params: { mode: 'high', applyProb: 1 }, B: 40, T: 128, seeds: [3], steps: [0], forceRandom: false });
    expect(r.mismatches).toEqual(NONE);
  });
});

describe('attention scores kernel', () => {
  it('scores (B,T) = mean over heads of probs[b,h,0,t], bit for bit', async () => {
    const gpu = await testGpu();
    const ctx = opContext(gpu);
    const [B, NH, T] = [5, 3, 37];
    const arena = Arena.build(gpu, new ArenaPlan().add('a', 'probs', [B, NH, T, T]).add('a', 'scores', [B, T]));
    const rng = new Rng(5, 5);
    const probs = rng.uniformArray(B * NH * T * T, 0, 0.1);
    arena.write('probs', probs);
    const op = await prepareAttentionScores(ctx, { probs: arena.get('probs'), scores: arena.get('scores') }, { B, NH, T });
    const enc = new StepEncoder(gpu);
    op.record(enc);
    enc.submit();
    const got = await readU32(gpu, arena.get('scores'));
    const want = new Uint32Array(attentionScoresReference(probs, B, NH, T).buffer);
    expect(Array.from(got)).toEqual(Array.from(want));
    arena.destroy();
  });
});
