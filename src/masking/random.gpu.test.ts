// GPU random-token masking == the CPU reference, bit for bit, on all five outputs. (Statistics of
// the mask are tested on the reference in reference.test.ts, which is much faster.)
import { describe, expect, it } from 'vitest';
import { Arena, ArenaPlan } from '../gpu/arena.ts';
import { StepEncoder } from '../gpu/step-encoder.ts';
import { readU32 } from '../gpu/readback.ts';
import { testGpu } from '../gpu/testing.ts';
import { Rng } from '../data/prng.ts';
import { prepareRandomMasking } from './random.ts';
import { randomMaskingReference, SPECIAL, type RandomMaskingConfig } from './reference.ts';
import { opContext } from '../shaders/index.ts';

const BERT: Omit<RandomMaskingConfig, 'seed'> = { rate: 0.15, maxPredictions: 20, maskProb: 0.8, randomProb: 0.1, vocabSize: 30522 };

/**
 * Varied lengths, including the edge cases: all [PAD] (L = 0), [CLS][SEP] only (no candidate),
 * a full row without [SEP] or [PAD] (L = T), [MASK] and [UNK] inside the text.
 */
function batch(B: number, T: number, V: number, seed: number): Uint32Array {
  const rng = new Rng(seed, 3);
  const tokens = new Uint32Array(B * T);
  for (let b = 0; b < B; b++) {
    const L = b === 0 ? 0 : b === 1 ? 2 : b === 2 ? T : 3 + rng.int(T - 2);
    for (let t = 0; t < L; t++) {
      const r = rng.uniform();
      const word = r < 0.02 ? SPECIAL.UNK : r < 0.03 ? SPECIAL.MASK : SPECIAL.FIRST_ORDINARY + rng.int(V - SPECIAL.FIRST_ORDINARY);
      tokens[b * T + t] = t === 0 ? SPECIAL.CLS : t === L - 1 && b !== 2 ? SPECIAL.SEP : word;
    }
  }
  return tokens;
}

const OUTPUTS = ['inputs', 'positions', 'targets', 'weights', 'record'] as const;

/** Runs the kernel for each (seed, steps) and counts mismatching elements per output. */
async function compare(B: number, T: number, P: number, cfg: Omit<RandomMaskingConfig, 'seed'>, seeds: number[], steps: number[], wg?: number) {
  const gpu = await testGpu();
  const ctx = opContext(gpu);
  const arena = Arena.build(
    gpu,
    new ArenaPlan()
      .add('batch', 'tokens', [B, T], 'u32')
      .add('batch', 'inputs', [B, T], 'u32')
      .add('batch', 'positions', [B, P], 'u32')
      .add('batch', 'targets', [B, P], 'u32')
      .add('batch', 'weights', [B, P])
      .add('batch', 'record', [B, T], 'u32'),
  );
  const tokens = batch(B, T, cfg.vocabSize, T);
  arena.write('tokens', tokens);
  const io = Object.fromEntries(['tokens', ...OUTPUTS].map((n) => [n, arena.get(n)])) as Record<'tokens' | (typeof OUTPUTS)[number], ReturnType<Arena['get']>>;
  const mismatches: Record<string, number> = Object.fromEntries(OUTPUTS.map((o) => [o, 0]));
  let masked = 0;
  for (const seed of seeds) {
    const full = { ...cfg, seed };
    const op = await prepareRandomMasking(ctx, io, { B, T, P }, full, wg ? { wg } : {});
    for (const step of steps) {
      op.setStep(step);
      const enc = new StepEncoder(gpu);
      op.record(enc);
      enc.submit();
      const want = randomMaskingReference(tokens, B, T, P, full, step);
      for (const o of OUTPUTS) {
        const got = await readU32(gpu, io[o]); // weights compared as raw f32 bits
        const w = new Uint32Array(want[o].buffer);
        for (let i = 0; i < got.length; i++) if (got[i] !== w[i]) mismatches[o]!++;
      }
      masked += want.weights.reduce((a, x) => a + x, 0);
    }
  }
  arena.destroy();
  console.log(`masking B=${B} T=${T} P=${P} seeds ${seeds.join(',')} steps ${steps.join(',')}: ${masked} masked, mismatches ${JSON.stringify(mismatches)}`);
  return { mismatches, masked };
}

const NONE = Object.fromEntries(OUTPUTS.map((o) => [o, 0]));

describe('random-token masking: GPU == CPU reference, bit for bit', () => {
  it('B=64, T=128, P=20, BERT 80/10/10, several seeds and steps', async () => {
    const r = await compare(64, 128, 20, BERT, [0, 1234, 0xffffffff], [0, 1, 77, 2 ** 31 + 5]);
    expect(r.mismatches).toEqual(NONE);
    expect(r.masked).toBeGreaterThanOrEqual(3 * 4 * 61); // the 3 edge-case rows aside, every row masks ≥ 1
  });

  it('T=512 (several positions per thread), P=80, and an odd T=37 with a small workgroup', async () => {
    expect((await compare(6, 512, 80, { ...BERT, maxPredictions: 80 }, [9], [0, 3])).mismatches).toEqual(NONE);
    expect((await compare(9, 37, 8, { ...BERT, rate: 0.4, vocabSize: 1003 }, [5], [0, 1], 32)).mismatches).toEqual(NONE);
  });

  it('the eval mask (maskProb 1, randomProb 0) and an all-random config', async () => {
    expect((await compare(16, 64, 10, { ...BERT, maskProb: 1, randomProb: 0 }, [42], [0, 1, 2])).mismatches).toEqual(NONE);
    expect((await compare(16, 64, 10, { ...BERT, maskProb: 0, randomProb: 1 }, [42], [0])).mismatches).toEqual(NONE);
  });
});
