// The views' data on the real engine: the probe's attention and fill-the-mask predictions against
// the float64 reference run on the GPU's own weights; the batch view against the CPU twin of the
// masking; ELECTRA's per-token view consistent with its labels; the mask strip.
import { describe, expect, it } from 'vitest';
import { MASK_ID } from '../data/tokenizer.ts';
import { testGpu } from '../gpu/testing.ts';
import { readF32 } from '../gpu/readback.ts';
import { labParams, maskingLabReference } from '../masking/selection.ts';
import { buildUnits } from '../masking/units.ts';
import { presetConfig, type RunConfig } from '../model/config.ts';
import { embeddingsForward, layersForward, mlmHeadForward, paramLookup } from '../reference/passes.ts';
import type { BatchView, EngineEvent, ProbeResult } from './protocol.ts';
import { TrainingSession } from './session.ts';
import { encodeProbe, STRIP_STEPS, topK } from './views.ts';

async function session(cfg: RunConfig) {
  const gpu = await testGpu();
  const events: EngineEvent[] = [];
  const s = await TrainingSession.create(gpu, cfg, (e) => events.push(e), () => Promise.reject(new Error('no Brown here')));
  return { gpu, s, events };
}

const last = <T extends EngineEvent['type']>(events: EngineEvent[], type: T) => events.filter((e) => e.type === type).at(-1) as Extract<EngineEvent, { type: T }> | undefined;

describe('probe', () => {
  it('matches the float64 reference on the GPU weights: attention of every head and the top-5 at each [MASK]', async () => {
    const cfg = presetConfig('bert-micro');
    const { gpu, s, events } = await session(cfg);
    await s.train(40, () => false); // weights away from their init, so predictions are not flat
    const text = 'a b c [MASK] e f [MASK] h';
    s.views.request = { probe: text, batchRows: 0 };
    await s.views.probeNow(s.step);
    expect(s.views.probePlan).toBe('row'); // BERT's one-row plan, over the trained parameters
    const probe: ProbeResult = last(events, 'probe')!.probe;
    const { T, L, NH, C } = cfg.model;
    const { ids } = encodeProbe(text, s.dataset.tokenizer, T);
    const n = ids.length;
    expect(probe.tokens).toEqual(['[CLS]', 'a', 'b', 'c', '[MASK]', 'e', 'f', '[MASK]', 'h', '[SEP]']);
    expect(probe.attention.length).toBe(L * NH * n * n);
    expect(probe.fill.map((f) => f.position)).toEqual([4, 7]);

    // Reference: one row, the same weights read back from the GPU.
    const params = new Map<string, Float64Array>();
    for (const p of s.model.params) params.set(p.name, Float64Array.from(await readF32(gpu, s.model.t(p.name))));
    const p = paramLookup(params);
    const inputs = new Uint32Array(T);
    inputs.set(ids);
    const mask = new Uint32Array(T).fill(1, 0, n);
    const eps = cfg.model.layerNormEps;
    const emb = embeddingsForward(p, 'emb.', inputs, 1, T, C, eps);
    const enc = layersForward(p, '', cfg.model, emb.ln.out, mask, 1, T, eps);
    let worstAttn = 0;
    for (let l = 0; l < L; l++)
      for (let h = 0; h < NH; h++)
        for (let q = 0; q < n; q++)
          for (let k = 0; k < n; k++) worstAttn = Math.max(worstAttn, Math.abs(probe.attention[((l * NH + h) * n + q) * n + k]! - enc.layers[l]!.probs[((h * T) + q) * T + k]!));
    const P = s.model.shape.P;
    const V = s.model.shape.V;
    const positions = new Uint32Array(P);
    positions.set([4, 7]);
    const head = mlmHeadForward(p, 'head.', 'emb.wte', enc.out, positions, { B: 1, T, P, C, E: C, V }, eps);
    let worstProb = 0;
    probe.fill.forEach((f, slot) => {
      const ref = topK(Float32Array.from(head.logits.subarray(slot * V, (slot + 1) * V)), 5);
      expect(f.top.map((x) => x.token)).toEqual(ref.map((x) => s.dataset.tokenizer.idToToken(x.id)));
      f.top.forEach((x, i) => (worstProb = Math.max(worstProb, Math.abs(x.prob - ref[i]!.prob))));
      expect(f.top).toHaveLength(5);
    });
    console.log(`probe vs float64 reference: attention max |Δ| ${worstAttn.toExponential(2)}, top-5 probability max |Δ| ${worstProb.toExponential(2)}; top at [MASK]₁: ${probe.fill[0]!.top.map((x) => `${x.token} ${x.prob.toFixed(3)}`).join(', ')}`);
    expect(worstAttn).toBeLessThan(1e-4);
    expect(worstProb).toBeLessThan(1e-4);

    // The probe leaves training alone: the next step trains on its own batch as before.
    await s.train(41, () => false);
    expect(Number.isFinite(s.history.metrics.at(-1)!.loss)).toBe(true);
    s.destroy();
  });

  it('cuts a long sentence to T and says so; a sentence without [MASK] gets no predictions', async () => {
    const { s, events } = await session(presetConfig('bert-micro'));
    s.views.request = { probe: Array.from({ length: 40 }, () => 'a').join(' '), batchRows: 0 };
    await s.views.probeNow(0);
    const probe = last(events, 'probe')!.probe;
    expect(probe.truncated).toBe(true);
    expect(probe.tokens).toHaveLength(16);
    expect(probe.tokens.at(-1)).toBe('[SEP]');
    expect(probe.fill).toEqual([]);
    s.destroy();
  });
});

describe('batch view', () => {
  it('shows the batch as the GPU masked it: kinds and units equal the CPU twin, a verdict on every masked token', async () => {
    const cfg = presetConfig('bert-micro');
    cfg.masking = { strategy: 'whole-word', params: { rate: 0.3 } };
    const { s, events } = await session(cfg);
    s.views.request = { probe: null, batchRows: 3 };
    await s.train(5, () => false);
    const view: BatchView = last(events, 'batch-view')!.view;
    expect(view.step).toBe(5);
    expect(view.rows).toHaveLength(3);
    // Step index 4 trained on batch 4.
    const { T } = cfg.model;
    const { B, P, V } = s.model.shape;
    const batch = s.dataset.batch(4, B);
    const units = buildUnits(s.info.masking, batch, { tagNames: s.dataset.tagNames, unigram: s.dataset.unigram });
    const params = labParams(s.info.masking, { seed: cfg.train.seed, totalSteps: cfg.train.steps, T, P, V, unigram: s.dataset.unigram });
    const ref = maskingLabReference({ tokens: batch.ids, units: units.units, weights: units.weights }, { B, T, P, V }, params, 4);
    let masked = 0;
    view.rows.forEach((row, b) => {
      expect(row.tokens).toEqual(Array.from(batch.ids.subarray(b * T, b * T + batch.lengths[b]!), (id) => s.dataset.tokenizer.idToToken(id)));
      expect(row.kinds).toEqual(Array.from(ref.record.subarray(b * T, b * T + row.tokens.length), (r) => r & 3));
      row.kinds.forEach((k, t) => {
        expect(row.units[t]).toBe(k ? ref.record[b * T + t]! >>> 8 : -1);
        expect(row.correct[t] === null).toBe(k === 0);
        if (k === 1) expect(row.inputs[t]).toBe('[MASK]');
        if (k === 3) expect(row.inputs[t]).toBe(row.tokens[t]);
      });
      masked += row.kinds.filter((k) => k > 0).length;
    });
    expect(masked).toBeGreaterThan(0);

    // The strip: one held-out row at the last steps (here all of 0..4), masks moving between steps.
    expect(view.strip!.steps).toEqual([0, 1, 2, 3, 4]);
    const strips = view.strip!.kinds.map((k) => k.join(''));
    expect(new Set(strips).size).toBeGreaterThan(1);
    expect(view.strip!.kinds.every((k) => k.length === view.strip!.tokens.length)).toBe(true);
    await s.train(40, () => false);
    expect(last(events, 'batch-view')!.view.strip!.steps).toHaveLength(STRIP_STEPS);
    s.destroy();
  });

  it('ELECTRA: the discriminator sees the samples, labels are "masked and changed", and the probe scores every token', async () => {
    const cfg = presetConfig('electra-micro');
    const { s, events } = await session(cfg);
    s.views.request = { probe: 'a b [MASK] d e', batchRows: 4 };
    await s.train(3, () => false);
    const view = last(events, 'batch-view')!.view;
    let replaced = 0;
    for (const row of view.rows) {
      const e = row.electra!;
      expect(e.input).toHaveLength(row.tokens.length);
      row.tokens.forEach((tok, t) => {
        const label = e.labels[t]!;
        expect(label).toBe(row.kinds[t] !== 0 && e.input[t] !== tok ? 1 : 0);
        expect(e.probs[t]!).toBeGreaterThanOrEqual(0);
        expect(e.probs[t]!).toBeLessThanOrEqual(1);
        replaced += label;
      });
    }
    expect(replaced).toBeGreaterThan(0);
    const probe = last(events, 'probe')!.probe;
    expect(probe.step).toBe(3);
    expect(probe.replaced).toHaveLength(probe.tokens.length);
    expect(probe.fill).toHaveLength(1);
    expect(probe.fill[0]!.top).toHaveLength(5);
    expect(probe.tokens[3]).toBe('[MASK]');
    expect(encodeProbe('a b [MASK] d e', s.dataset.tokenizer, cfg.model.T).ids[3]).toBe(MASK_ID);
    s.destroy();
  });
});
