// The linear probe end to end on the real engine: features pooled from the GPU encoder batch by
// batch, classifiers trained on the GPU, scores on held-out documents — against the same pipeline
// in float64 on the CPU (reference encoder on the same weights, pooling, softmax regression). The
// corpus is a small Brown-shaped one made here (GPU tests do not load Brown), with a genre signal
// in its word choice and one tag per word form.
import { describe, expect, it } from 'vitest';
import type { BrownCorpus } from '../data/brown.ts';
import { buildProbeSet, scorePredictions } from '../data/probe-tasks.ts';
import { Rng } from '../data/prng.ts';
import { readParams } from '../model/bert.ts';
import { presetConfig, type RunConfig } from '../model/config.ts';
import { PROBE_HYPER } from '../model/probe-classifier.ts';
import { embeddingsForward, layersForward, paramLookup } from '../reference/passes.ts';
import { poolMean } from '../reference/pool.ts';
import { predictSoftmaxRegression, trainSoftmaxRegression } from '../reference/softmax-regression.ts';
import { checkNoUncapturedErrors, testGpu } from '../gpu/testing.ts';
import type { EngineEvent, ProbePoint } from './protocol.ts';
import { TrainingSession } from './session.ts';

/** 30 documents in 3 genres; each genre prefers its own third of the lexicon. */
function fakeBrown(): BrownCorpus {
  const rng = new Rng(4, 2);
  const tagNames = ['nn', 'vb', 'at', 'in', 'jj', '.'];
  const lexicon = Array.from({ length: 60 }, (_, i) => `${'bcdfghklmnprst'[i % 14]}${'aeiou'[i % 5]}${'xyzw'[(i >> 2) % 4]}${i}`);
  const tagOf = lexicon.map((_, i) => i % tagNames.length);
  const docs: BrownCorpus['docs'][number][] = [];
  const wordIds: number[] = [];
  const sentenceStart: number[] = [];
  const genres = ['a', 'b', 'c'];
  for (let d = 0; d < 30; d++) {
    const g = d % 3;
    const start = wordIds.length;
    for (let w = 0; w < 160; w++) {
      const own = rng.uniform() < 0.7;
      wordIds.push(own ? g * 20 + rng.int(20) : rng.int(60));
      sentenceStart.push(w % 12 === 0 ? 1 : 0);
    }
    docs.push({ id: `c${genres[g]}${String(d + 1).padStart(2, '0')}`, category: ['news', 'editorial', 'reviews'][g]!, start, end: wordIds.length });
  }
  return { lexicon, tagNames, docs, wordIds: Uint32Array.from(wordIds), tagIds: Uint16Array.from(wordIds.map((w) => tagOf[w]!)), sentenceStart: Uint8Array.from(sentenceStart) };
}

function config(): RunConfig {
  const c = presetConfig('bert-micro');
  c.data = { source: 'brown', tokenizer: 'char', vocabSize: 1000 };
  c.model.T = 16;
  c.train.batch = 8;
  c.train.evalBatches = 2;
  return c;
}

/** The same probe in float64: reference encoder on the session's weights, pooling, softmax regression. */
function cpuProbe(brown: BrownCorpus, session: TrainingSession, params: Map<string, Float32Array>) {
  const cfg = session.config;
  const { T, C, layerNormEps: eps } = cfg.model;
  const D = C + 1;
  const ds = session.dataset;
  const set = buildProbeSet({ source: 'brown', train: ds.train, heldOut: ds.heldOut, tagNames: brown.tagNames }, ['pos', 'genre'], { T });
  const p = paramLookup(new Map([...params].map(([k, v]) => [k, Float64Array.from(v)])));
  const hidden = (split: 'train' | 'test') => {
    const r = set[split].rows;
    const emb = embeddingsForward(p, 'emb.', r.ids, r.B, T, C, eps);
    const enc = layersForward(p, '', cfg.model, emb.ln.out, r.attention, r.B, T, eps);
    return [emb.ln.out, ...enc.layers.map((l) => l.ln2.out)];
  };
  const [htr, hte] = [hidden('train'), hidden('test')];
  return set.tasks.map((t) => {
    const K = t.classes.length;
    const [tr, te] = [set.train.examples[t.id]!, set.test.examples[t.id]!];
    return {
      task: t.id,
      test: te.labels.length,
      layers: htr.map((h, l) => {
        const W = trainSoftmaxRegression(poolMean(h, tr.segments, C, D), tr.labels, tr.labels.length, D, K, PROBE_HYPER);
        return scorePredictions(predictSoftmaxRegression(poolMean(hte[l]!, te.segments, C, D), W, te.labels.length, D, K), te.labels, K);
      }),
    };
  });
}

describe('linear probe (GPU features and classifiers) vs the same probe in float64', () => {
  it('scores every task and layer as the CPU does, at init and after training; deterministic', async () => {
    const gpu = await testGpu();
    const brown = fakeBrown();
    const events: EngineEvent[] = [];
    const session = await TrainingSession.create(gpu, config(), (e) => events.push(e), () => Promise.resolve(brown));
    const info = session.info.probe;
    if ('unavailable' in info) throw new Error(info.unavailable);
    expect(info.layers).toEqual(['embeddings', 'layer 1', 'layer 2']);
    console.log(`probe set: ${info.tasks.map((t) => `${t.id} ${t.train}/${t.test} (majority ${t.majority.accuracy.toFixed(3)})`).join(', ')}`);

    const check = async (label: string) => {
      const gpuPoint = (await session.runProbe())!;
      const again = await session.runProbe();
      const cpu = cpuProbe(brown, session, await readParams(gpu, session.model));
      for (const c of cpu) {
        const g = gpuPoint.tasks.find((t) => t.task === c.task)!;
        console.log(`${label} ${c.task}: GPU ${g.layers.map((s) => s.accuracy.toFixed(3)).join(' ')} | CPU ${c.layers.map((s) => s.accuracy.toFixed(3)).join(' ')}`);
        // float32 vs float64 through an encoder, pooling and 64 AdamW steps: the predictions may
        // differ only at near ties, i.e. by at most one held-out example per layer.
        c.layers.forEach((s, l) => expect(Math.abs(g.layers[l]!.accuracy - s.accuracy)).toBeLessThanOrEqual(1 / c.test + 1e-12));
      }
      expect(again!.tasks).toEqual(gpuPoint.tasks); // the same weights give the same bits
      return gpuPoint;
    };
    const init = await check('init');
    await session.train(30, () => false);
    const trained = await check('step 30');
    // Both are real probes: POS is learnable from word identity (one tag per form) and genre from
    // word choice, so the classifiers beat the majority class even on these weights.
    for (const p of [init, trained] as ProbePoint[]) {
      for (const t of p.tasks) {
        const best = Math.max(...t.layers.map((s) => s.accuracy));
        expect(best).toBeGreaterThan(info.tasks.find((x) => x.id === t.task)!.majority.accuracy + 0.1);
      }
    }
    expect(events.filter((e) => e.type === 'probe-eval')).toHaveLength(4);
    expect(events.some((e) => e.type === 'run-error' || e.type === 'diverged')).toBe(false);
    session.destroy();
    await checkNoUncapturedErrors();
  });
});
