// The linear probes of a run (issue [H]): freeze the encoder, pool the hidden states of the
// embeddings and of every layer over each example of the probe set (src/data/probe-tasks.ts),
// train one softmax-regression classifier per task × layer on the GPU (model/probe-classifier.ts),
// and score it on the held-out documents' examples: accuracy and macro-F1 per layer.
// ELECTRA runs probe the discriminator, the network ELECTRA keeps (model.views.hidden).
// It owns a small arena of its own (features, labels, classifiers) and shares the model's op
// context; it reads the model's activations, so it runs between steps, never inside one. Which
// steps it runs at, and its share of the run's time, is the session's business.

import { emptyBatch, type Batch } from '../data/batcher.ts';
import type { Dataset } from '../data/dataset.ts';
import { argmaxRows, buildProbeSet, majorityBaseline, probesUnavailable, scorePredictions, type ProbeExamples, type ProbeSet } from '../data/probe-tasks.ts';
import { Arena } from '../gpu/arena.ts';
import type { Gpu } from '../gpu/device.ts';
import { StepEncoder } from '../gpu/step-encoder.ts';
import { readF32 } from '../gpu/readback.ts';
import type { BertModel } from '../model/bert.ts';
import { probeOf, type RunConfig } from '../model/config.ts';
import { preparePoolMean } from '../model/ops/pool.ts';
import type { PreparedOp } from '../gpu/op-context.ts';
import { prepareClassifiers, PROBE_HYPER, type ClassifierIo, type ProbeClassifiers } from '../model/probe-classifier.ts';
import { planProbe, PROBE_SPLITS, probeClassifier, probeFeature, probeLabels, probeSegments, type ProbeSplitName } from '../model/probe-plan.ts';
import { POOLS } from '../model/layout.ts';
import { besidesArenas } from '../model/run-memory.ts';
import type { ProbeInfo, ProbeScore, ProbeTaskInfo } from './protocol.ts';

/** A split's rows cut into batches of the model's B rows (the last one padded with empty rows). */
interface Chunk {
  rows: Batch;
  /** Encoder forward, then every pool of this chunk's examples. */
  pools: PreparedOp[];
}

export class LinearProbe {
  private constructor(
    private readonly gpu: Gpu,
    private readonly model: BertModel,
    private readonly set: ProbeSet,
    private readonly arena: Arena,
    private readonly chunks: Record<ProbeSplitName, Chunk[]>,
    private readonly classifiers: ProbeClassifiers,
    private readonly layers: number,
    readonly info: Extract<ProbeInfo, { tasks: unknown }>,
  ) {}

  /** The run's probe, or why it has none (no probe tasks chosen, or data without labels). */
  static async create(gpu: Gpu, model: BertModel, dataset: Dataset, config: RunConfig): Promise<LinearProbe | { unavailable: string }> {
    const tasks = probeOf(config).tasks;
    if (tasks.length === 0) return { unavailable: 'No probe task is chosen for this run (probe tasks: none).' };
    const why = probesUnavailable(dataset.source);
    if (why) return { unavailable: why };
    const { B } = model.shape;
    const { T, C } = config.model;
    const D = C + 1; // the pooled features, then a 1 for the classifier's bias
    const set = buildProbeSet({ source: dataset.source, train: dataset.train, heldOut: dataset.heldOut, tagNames: dataset.tagNames }, tasks, { T });
    const hidden = model.views.hidden;
    const layers = hidden.length;

    const counts = set.tasks.map((t) => {
      const n = { train: set.train.examples[t.id]!.labels.length, test: set.test.examples[t.id]!.labels.length };
      if (n.train === 0 || n.test === 0) throw new Error(`The probe set has no ${t.id} examples (${n.train} train, ${n.test} held out) at T=${T}: lengthen the sequences.`);
      return { id: t.id, K: t.classes.length, ...n };
    });
    // Checked as the model's arena was, with the model's real buffers (allocated by now) in place
    // of the probe's bound that the model's check counted (model/run-memory.ts).
    const modelBytes = model.arena.pools.reduce((a, p) => a + p.buffers.reduce((b, x) => b + x.size, 0), 0);
    const alongside = [{ what: 'model arena', bytes: modelBytes }, ...besidesArenas(config, model.shape.V, model.arena.plannedBytes()[POOLS.params] ?? 0)];
    const arena = await Arena.create(gpu, planProbe(counts, layers, D), 'probe', { alongside });
    try {
      const chunks = { train: [] as Chunk[], test: [] as Chunk[] };
      for (const s of PROBE_SPLITS) {
        const rows = set[s].rows;
        for (let first = 0; first < rows.B; first += B) {
          const chunk = rowsOf(rows, first, B);
          const pools: PreparedOp[] = [];
          for (const t of set.tasks) {
            const ex = set[s].examples[t.id]!;
            const range = segmentRange(ex, first * T, (first + B) * T);
            for (let l = 0; l < layers; l++) {
              const io = { x: model.t(hidden[l]!), segments: arena.get(probeSegments(s, t.id)), out: arena.get(probeFeature(s, t.id, l)) };
              pools.push(await preparePoolMean(model.ctx, io, { N: B * T, C, S: ex.labels.length, D }, range));
            }
          }
          chunks[s].push({ rows: chunk, pools });
        }
        // Segment starts relative to their chunk: the pool reads the chunk's hidden states only.
        for (const t of set.tasks) arena.write(probeSegments(s, t.id), localSegments(set[s].examples[t.id]!, B * T));
      }
      for (const t of set.tasks) arena.write(probeLabels(t.id), set.train.examples[t.id]!.labels);
      const list: ClassifierIo[] = set.tasks.flatMap((t) =>
        Array.from({ length: layers }, (_, l) => ({
          name: probeClassifier(t.id, l),
          shape: { N: set.train.examples[t.id]!.labels.length, Nt: set.test.examples[t.id]!.labels.length, D, K: t.classes.length },
          train: probeFeature('train', t.id, l),
          test: probeFeature('test', t.id, l),
          labels: probeLabels(t.id),
        })),
      );
      const classifiers = await prepareClassifiers(model.ctx, arena, list, PROBE_HYPER);
      const info = {
        tasks: set.tasks.map((t): ProbeTaskInfo => {
          const [tr, te] = [set.train.examples[t.id]!.labels, set.test.examples[t.id]!.labels];
          const m = majorityBaseline(tr, te, t.classes.length);
          return { id: t.id, label: t.label, classes: t.classes, train: tr.length, test: te.length, macroF1: t.macroF1, majority: { label: t.classes[m.cls]!, accuracy: m.accuracy, macroF1: m.macroF1 } };
        }),
        layers: Array.from({ length: layers }, (_, l) => (l === 0 ? 'embeddings' : `layer ${l}`)),
        model: model.views.disc ? 'discriminator' : 'encoder',
        classifier: { steps: PROBE_HYPER.steps, lr: PROBE_HYPER.lr },
      };
      return new LinearProbe(gpu, model, set, arena, chunks, classifiers, layers, info);
    } catch (e) {
      arena.destroy();
      throw e;
    }
  }

  /** Probes the model's current weights: per task, the held-out score of each layer's classifier. */
  async run(): Promise<{ task: string; layers: ProbeScore[] }[]> {
    const { model, gpu } = this;
    for (const s of PROBE_SPLITS) {
      for (const c of this.chunks[s]) {
        // Each chunk rewrites the model's batch with writeBuffer, which must land between submissions.
        model.uploadBatch(c.rows.ids, c.rows.attention);
        const enc = new StepEncoder(gpu, { label: `probe features ${s}` });
        model.recordEncoderForward(enc, 'tokens');
        for (const p of c.pools) p.record(enc);
        enc.submit();
      }
    }
    const enc = new StepEncoder(gpu, { label: 'probe classifiers' });
    this.classifiers.record(enc);
    enc.submit();
    return Promise.all(
      this.set.tasks.map(async (t) => {
        const labels = this.set.test.examples[t.id]!.labels;
        const K = t.classes.length;
        const logits = await Promise.all(Array.from({ length: this.layers }, (_, l) => readF32(gpu, this.classifiers.testLogits(probeClassifier(t.id, l)))));
        return { task: t.id, layers: logits.map((z) => scorePredictions(argmaxRows(z, labels.length, K), labels, K)) };
      }),
    );
  }

  destroy(): void {
    this.arena.destroy();
  }
}

/** Rows [first, first + B) of `rows` as a (B, T) batch; rows past the end are padding (no tokens). */
function rowsOf(rows: Batch, first: number, B: number): Batch {
  const out = emptyBatch(B, rows.T);
  const n = Math.min(B, rows.B - first);
  const T = rows.T;
  out.ids.set(rows.ids.subarray(first * T, (first + n) * T));
  out.attention.set(rows.attention.subarray(first * T, (first + n) * T));
  return out;
}

/** The examples whose first token lies in flat tokens [from, to): contiguous, as examples are in row order. */
function segmentRange(ex: ProbeExamples, from: number, to: number): { first: number; count: number } {
  const n = ex.labels.length;
  let first = 0;
  while (first < n && ex.segments[2 * first]! < from) first++;
  let end = first;
  while (end < n && ex.segments[2 * end]! < to) end++;
  return { first, count: end - first };
}

/** Segment starts taken modulo a chunk's B·T tokens (a segment never crosses rows, so never chunks). */
function localSegments(ex: ProbeExamples, chunkTokens: number): Uint32Array {
  const out = Uint32Array.from(ex.segments);
  for (let k = 0; k < out.length; k += 2) out[k] = out[k]! % chunkTokens;
  return out;
}
