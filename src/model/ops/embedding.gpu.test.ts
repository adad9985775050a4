// Embeddings on the GPU vs the float64 reference, with the backward's hard cases: many repeated
// ids (a long [PAD] run crosses pieces), all-distinct ids, sorts that need global merge steps,
// accumulation, and bit-reproducibility.
import { describe, expect, it } from 'vitest';
import { Arena, ArenaPlan } from '../../gpu/arena.ts';
import { StepEncoder } from '../../gpu/step-encoder.ts';
import { readF32, readU32 } from '../../gpu/readback.ts';
import { testGpu } from '../../gpu/testing.ts';
import { Rng } from '../../data/prng.ts';
import { scaledMaxRelError } from '../../reference/compare.ts';
import { embeddingBackward, embeddingForward } from '../../reference/embedding.ts';
import { embeddingBackwardScratch, prepareEmbeddingBackward, prepareEmbeddingForward, type EmbeddingShape } from './embedding.ts';
import { opContext } from '../../shaders/index.ts';

type Case = EmbeddingShape & { Tmax: number; ids: (rng: Rng, n: number) => number };

async function run(cs: Case, backwardRuns: number) {
  const { B, T, C, V, Tmax } = cs;
  const N = B * T;
  const gpu = await testGpu();
  const ctx = opContext(gpu);
  const plan = new ArenaPlan().add('act', 'ids', [B, T], 'u32').add('act', 'out', [B, T, C]).add('act', 'dout', [B, T, C]);
  plan.add('par', 'wte', [V, C]).add('par', 'wpe', [Tmax, C]).add('par', 'wtt', [2, C]);
  plan.add('grads', 'dwte', [V, C]).add('grads', 'dwpe', [Tmax, C]).add('grads', 'dwtt', [2, C]);
  for (const s of embeddingBackwardScratch(cs)) plan.add('scratch', s.name, s.shape, s.dtype);
  const arena = Arena.build(gpu, plan);
  const rng = new Rng(31, N * C + V);
  const ids = new Uint32Array(N);
  for (let n = 0; n < N; n++) ids[n] = cs.ids(rng, n);
  const w = { wte: rng.uniformArray(V * C, -1, 1), wpe: rng.uniformArray(Tmax * C, -1, 1), wtt: rng.uniformArray(2 * C, -1, 1) };
  const dout = rng.uniformArray(N * C, -1, 1);
  arena.write('ids', ids);
  arena.write('dout', dout);
  for (const [k, v] of Object.entries(w)) arena.write(k, v);
  const t = (n: string) => arena.get(n);
  const fwd = await prepareEmbeddingForward(ctx, { ids: t('ids'), wte: t('wte'), wpe: t('wpe'), wtt: t('wtt'), out: t('out') }, cs);
  const bwd = await prepareEmbeddingBackward(ctx, { ids: t('ids'), dout: t('dout'), dwte: t('dwte'), dwpe: t('dwpe'), dwtt: t('dwtt'), scratch: embeddingBackwardScratch(cs).map((s) => t(s.name)) }, cs);
  const enc = new StepEncoder(gpu);
  arena.clearPool(enc.commandEncoder, 'grads');
  fwd.record(enc);
  for (let i = 0; i < backwardRuns; i++) bwd.record(enc);
  enc.submit();
  const got = { out: await readF32(gpu, t('out')), dwte: await readF32(gpu, t('dwte')), dwpe: await readF32(gpu, t('dwpe')), dwtt: await readF32(gpu, t('dwtt')), keys: await readU32(gpu, t('emb.keys')) };
  arena.destroy();
  const f64 = (a: Float32Array) => Float64Array.from(a);
  const out = embeddingForward(ids, f64(w.wte), f64(w.wpe), f64(w.wtt), B, T, C);
  const grads = embeddingBackward(f64(dout), ids, B, T, C, V, Tmax);
  return { got, want: { out, ...grads }, ids };
}

const few = (rng: Rng) => [0, 1, 2, 103, 4095][rng.int(5)]!; // 5 distinct ids, e.g. [PAD], [MASK], "the"
const cases: [string, Case][] = [
  ['5 distinct ids, B=3 T=13 C=48', { B: 3, T: 13, C: 48, V: 4096, Tmax: 20, ids: few }],
  ['all-distinct ids, B=3 T=13 C=48', { B: 3, T: 13, C: 48, V: 64, Tmax: 13, ids: (_, n) => (n * 37) % 64 }],
  ['long [PAD] runs that span many pieces, B=4 T=64 C=32', { B: 4, T: 64, C: 32, V: 300, Tmax: 64, ids: (rng, n) => (n % 64 >= 20 ? 0 : 1 + rng.int(299)) }],
  ['bert-tiny batch B=32 T=128 C=128 V=4096 (sort with global merge steps)', { B: 32, T: 128, C: 128, V: 4096, Tmax: 128, ids: (rng, n) => (n % 128 >= 90 ? 0 : rng.int(4096)) }],
  ['N=3000 (not a power of two) B=24 T=125 C=16', { B: 24, T: 125, C: 16, V: 50, Tmax: 128, ids: (rng) => rng.int(50) }],
  ['N=5000 → sort length 8192 (two merge stages) B=40 T=125 C=8', { B: 40, T: 125, C: 8, V: 1000, Tmax: 125, ids: (rng) => rng.int(1000) }],
];

describe('embedding (GPU vs float64)', () => {
  it.each(cases)('%s', async (_, cs) => {
    const { got, want, ids } = await run(cs, 1);
    const errs = [scaledMaxRelError(got.out, want.out), scaledMaxRelError(got.dwte, want.dwte), scaledMaxRelError(got.dwpe, want.dwpe), scaledMaxRelError(got.dwtt, want.dwtt)];
    console.log(`embedding B=${cs.B} T=${cs.T} C=${cs.C} V=${cs.V}: out ${errs[0]!.toExponential(2)} dwte ${errs[1]!.toExponential(2)} dwpe ${errs[2]!.toExponential(2)} dwtt ${errs[3]!.toExponential(2)}`);
    expect(errs[0]).toBeLessThan(1e-4);
    for (const e of errs.slice(1)) expect(e).toBeLessThan(1e-3);
    // The sort left (id, position) keys in increasing order, followed by padding keys.
    const N = cs.B * cs.T;
    const expected = Array.from(ids, (id, n) => id * N + n).sort((a, b) => a - b);
    expect(Array.from(got.keys.subarray(0, N))).toEqual(expected);
    expect(got.keys.subarray(N).every((k) => k === 0xffffffff)).toBe(true);
    // Rows of ids that never occur, position rows past T and token type 1 stay exactly zero.
    const seen = new Set(ids);
    let stray = 0;
    for (let v = 0; v < cs.V; v++) if (!seen.has(v)) for (let c = 0; c < cs.C; c++) stray += got.dwte[v * cs.C + c] !== 0 ? 1 : 0;
    expect(stray).toBe(0);
    expect(got.dwpe.subarray(cs.T * cs.C).every((v) => v === 0)).toBe(true);
    expect(got.dwtt.subarray(cs.C).every((v) => v === 0)).toBe(true);
  });

  it('accumulates: two backward runs add up to twice the gradient', async () => {
    const { got, want } = await run(cases[0]![1], 2);
    const two = (a: Float64Array) => a.map((v) => 2 * v);
    const errs = [scaledMaxRelError(got.dwte, two(want.dwte)), scaledMaxRelError(got.dwpe, two(want.dwpe)), scaledMaxRelError(got.dwtt, two(want.dwtt))];
    console.log(`embedding bwd ×2: dwte ${errs[0]!.toExponential(2)} dwpe ${errs[1]!.toExponential(2)} dwtt ${errs[2]!.toExponential(2)}`);
    for (const e of errs) expect(e).toBeLessThan(1e-3);
  });

  it('is bit-reproducible from zeroed grads (repeated ids)', async () => {
    const cs = cases[3]![1];
    const a = await run(cs, 1);
    const b = await run(cs, 1);
    expect(b.got.dwte).toEqual(a.got.dwte);
    expect(b.got.dwpe).toEqual(a.got.dwpe);
    expect(b.got.dwtt).toEqual(a.got.dwtt);
  });
});
