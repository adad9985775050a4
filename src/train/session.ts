// One training run on the GPU: data → tokenizer → model → pipelined steps → held-out eval.
// Steps are submitted back to back with at most MAX_IN_FLIGHT unfinished on the GPU, so the CPU
// prepares step s+1 while the GPU runs step s; metrics come back through a readback ring and are
// never waited for. It reports through `post` and keeps no UI state.

import type { Batch } from '../data/batcher.ts';
import type { BrownCorpus } from '../data/brown.ts';
import { buildDataset, type Dataset } from '../data/dataset.ts';
import type { Gpu } from '../gpu/device.ts';
import { StepEncoder } from '../gpu/step-encoder.ts';
import { TimestampProfiler, type DispatchTiming } from '../gpu/profiler.ts';
import { ReadbackRing } from '../gpu/readback.ts';
import { strategyOf } from '../masking/registry.ts';
import { readParams, type BertModel } from '../model/bert.ts';
import { assertValidConfig, maskingOf, maxPredictions, probeOf, type RunConfig } from '../model/config.ts';
import { runtimeOf } from './objective-runtime.ts';
import { checkMaskingData, MaskingStage, maskStats, usesAttention } from './masking-stage.ts';
import { initSpecs } from '../model/init.ts';
import { numelOf } from '../gpu/arena.ts';
import type { MetricReadback } from '../objectives/runtime-types.ts';
import { metricRanges, parseMetricBlocks, type MetricBlocks } from './objective-metrics.ts';
import type { BufferRange } from '../gpu/pipelines.ts';
import { evalBatchCount, evaluate, unigramBaseline } from './eval.ts';
import { encoderForwardFlops } from './flops.ts';
import type { EvalPoint, MetricPoint, PostEvent, ProbePoint, RunHistory, RunInfo, TokenSnapshot } from './protocol.ts';
import { LinearProbe } from './probe.ts';
import { learningRate, type LrSchedule } from './schedule.ts';
import { ViewServer } from './views.ts';
import { checkTensorLayout, CheckpointError, type CheckpointData, type CheckpointTensor } from './checkpoint.ts';
import { DivergenceWatch, type Divergence } from './divergence.ts';
import { PoolSnapshots } from '../gpu/state-snapshot.ts';
import { LastGoodState } from './last-good.ts';
import { tokenSnapshot } from './token-snapshot.ts';
import { POOLS } from '../model/layout.ts';

/** Steps queued on the GPU before the CPU waits: enough to hide the CPU's batch work. */
const MAX_IN_FLIGHT = 2;

export class TrainingSession {
  /** Next step to run (= steps done). */
  step = 0;
  /** Set when a metric window breaks a divergence rule (divergence.ts): the loop stops. */
  divergence: Divergence | null = null;
  /** Multiplies the schedule's learning rate: lowered by a roll-back ("at a lower learning rate"). */
  lrScale = 1;
  readonly history: Required<RunHistory> = { metrics: [], evals: [], probes: [] };
  private readonly ring: ReadbackRing;
  private readonly metricsRanges: BufferRange[];
  private readonly schedule: LrSchedule;
  /** Training (and eval) time in ms, probes left out. */
  private activeMs = 0;
  /** Probes run inside the current train() call: their time is not training time. */
  private probeMsInTrain = 0;
  private lastReport = { step: 0, at: 0 };
  private batchBuf: Batch | undefined;
  private lastEvalStep = -1;
  /** Batch view, probe and mask strip for the UI (views.ts); idle until a request arrives. */
  readonly views: ViewServer;
  private watch = new DivergenceWatch();
  /** Parameters and AdamW moments at the last step whose metrics passed the watch. */
  private readonly lastGood: LastGoodState;

  private constructor(
    readonly gpu: Gpu,
    readonly config: RunConfig,
    readonly dataset: Dataset,
    readonly model: BertModel,
    private readonly masking: MaskingStage,
    readonly info: RunInfo,
    private readonly evalBatches: number,
    private readonly post: PostEvent,
    private readonly linearProbe: LinearProbe | null,
    /** The objective's own metric blocks (its runtime's readback); null = loss and accuracy only. */
    private readonly objectiveMetrics: MetricReadback | null,
    snapshots: PoolSnapshots,
  ) {
    this.lastGood = new LastGoodState(snapshots);
    // One slot holds a step's metrics, gradient norm, mask stats and the objective's blocks.
    this.metricsRanges = [model.t('metrics'), model.t('gradnorm'), masking.statsRange, ...metricRanges(model, objectiveMetrics?.tensors ?? [])];
    this.ring = new ReadbackRing(gpu, this.metricsRanges.reduce((a, r) => a + r.size, 0), 4);
    const t = config.train;
    this.schedule = { peak: t.lr, warmupSteps: t.warmupSteps, totalSteps: t.steps, decay: t.decay };
    this.views = new ViewServer(gpu, model, dataset, config, info.masking, post);
  }

  get diverged(): boolean {
    return this.divergence !== null;
  }

  /** The step a roll-back would return to (the last state that passed the watch), or null. */
  get rollbackStep(): number | null {
    return this.lastGood.step;
  }

  /** `text`: the user's own corpus, for data source 'text' (parsed in the engine beforehand). */
  static async create(gpu: Gpu, config: RunConfig, post: PostEvent, loadBrown: () => Promise<BrownCorpus>, text?: BrownCorpus): Promise<TrainingSession> {
    assertValidConfig(config);
    const { model: mc, train, data } = config;
    const B = train.batch;
    const tokenizer = data.tokenizer === 'wordpiece' ? `wordpiece, vocab ${data.vocabSize}` : 'char';
    post({ type: 'log', line: `loading data: ${data.source}${data.source === 'brown' || data.source === 'text' ? ` (${tokenizer})` : ''}` });
    const masking = maskingOf(config);
    checkMaskingData(masking, data.source);
    const brown = data.source === 'brown' ? await loadBrown() : undefined;
    const pmi = strategyOf(masking).units === 'segment' ? { pmi: { minCount: Number(masking.params.minCount), lexiconSize: Number(masking.params.lexiconSize), seed: train.seed } } : {};
    const dataset = buildDataset(data.source, { tokenizer: data.tokenizer, vocabSize: data.vocabSize, seed: train.seed, T: mc.T, evalCount: train.evalBatches * B, ...pmi }, { ...(brown ? { brown } : {}), ...(text ? { text } : {}) });
    const evalBatches = evalBatchCount(dataset.evalSet, B, train.evalBatches);
    if (evalBatches < 1) throw new Error(`The held-out split has ${dataset.evalSet.B} rows of length ${mc.T}, fewer than one batch of ${B}: lower the batch size.`);
    const V = dataset.tokenizer.vocabSize;
    const runtime = await runtimeOf(config.objective);
    const model = await runtime.build(gpu, config, V);
    model.uploadParams(initSpecs(model.params, mc.initStd, train.seed));
    let probe: LinearProbe | { unavailable: string };
    try {
      probe = await LinearProbe.create(gpu, model, dataset, config);
    } catch (e) {
      model.destroy();
      throw e;
    }
    const stage = await MaskingStage.create(model, config, masking, dataset);
    const P = maxPredictions(config);
    const s = dataset.stats;
    const flops = runtime.flopsPerStep(config, V, B, P);
    // Attention-guided masking runs the encoder once more, forward only, to score tokens.
    const scoring = usesAttention(masking) ? encoderForwardFlops(mc, B) : 0;
    const info: RunInfo = {
      config,
      masking,
      vocabSize: V,
      P,
      parameters: model.params.reduce((a, p) => a + numelOf(p.shape), 0),
      plannedBytes: model.arena.plannedBytes(),
      flopsPerStep: Object.values(flops).reduce((a, b) => a + b, 0) + scoring,
      flops,
      data: { source: data.source, trainTokens: s.trainTokens, heldOutTokens: s.heldOutTokens, evalRows: evalBatches * B, tokenizerMs: s.tokenizerMs, totalMs: s.totalMs },
      unigramBaseline: unigramBaseline(dataset.evalSet, evalBatches, B, P, V, dataset.unigram),
      probe: probe instanceof LinearProbe ? probe.info : probe,
      ...(runtime.baselines ? { baselines: runtime.baselines(dataset, config, evalBatches * B) } : {}),
    };
    let snapshots: PoolSnapshots;
    try {
      snapshots = await PoolSnapshots.create(gpu, model.arena, [POOLS.params, POOLS.m, POOLS.v]);
    } catch (e) {
      if (probe instanceof LinearProbe) probe.destroy();
      model.destroy();
      throw e;
    }
    return new TrainingSession(gpu, config, dataset, model, stage, info, evalBatches, post, probe instanceof LinearProbe ? probe : null, runtime.metrics ?? null, snapshots);
  }

  /** Runs steps until `until` (exclusive), a stop request, or divergence. */
  async train(until: number, shouldStop: () => boolean): Promise<void> {
    const { model, gpu } = this;
    const { batch: B, logEvery, evalEvery } = this.config.train;
    const T = this.config.model.T;
    const inFlight: Promise<void>[] = [];
    const reads: Promise<void>[] = [];
    const started = performance.now();
    const activeBefore = this.activeMs;
    // Training time leaves out the probes run in this loop (runProbe adds theirs here).
    this.probeMsInTrain = 0;
    const activeNow = () => activeBefore + performance.now() - started - this.probeMsInTrain;
    this.lastReport = { step: this.step, at: started };
    while (this.step < until && !shouldStop() && !this.diverged) {
      const s = this.step;
      const batch = this.dataset.batch(s, B, this.batchBuf);
      this.batchBuf = batch;
      model.uploadBatch(batch.ids, batch.attention);
      const lr = learningRate(this.schedule, s) * this.lrScale;
      model.setStep(s, lr);
      this.masking.prepareTrain(batch, s);
      const last = s + 1 === until;
      // Step 0 is always read: its loss is the untrained model's, the divergence watch's yardstick.
      const readDue = (s + 1) % logEvery === 0 || last || s === 0;
      // A previous copy still waiting for its verdict must get it before its slot can be reused.
      const snapshotDue = readDue && this.lastGood.due(s);
      if (snapshotDue) await this.lastGood.settled();
      if (this.diverged) break;
      const enc = new StepEncoder(gpu, { label: `step ${s}` });
      const slot = snapshotDue ? this.lastGood.record(enc) : -1; // the state this step starts from
      this.masking.recordTrain(enc);
      model.recordTrainStep(enc);
      const read = readDue ? enc.readback(this.ring, this.metricsRanges) : null;
      this.views.recordBatch(enc, s + 1, last);
      const sub = enc.submit();
      this.step = s + 1;
      this.views.maybeProbe(this.step, last);
      if (read) {
        const r = read.then(
          ([m, g, st, ...blocks]) =>
            this.report(s, lr, new Float32Array(m!), new Float32Array(g!), new Uint32Array(st!), this.masking.currentRate, B * T, activeNow(), parseMetricBlocks(this.objectiveMetrics?.tensors ?? [], blocks)),
          () => undefined, // device lost: the gpu-error event tells the user
        );
        reads.push(r);
        if (snapshotDue) this.lastGood.pending(slot, s, r);
      }
      inFlight.push(sub.done());
      if (inFlight.length > MAX_IN_FLIGHT) await inFlight.shift();
      const evalDue = evalEvery > 0 && this.step % evalEvery === 0;
      const probeDue = this.probeScheduled(this.step, evalDue) && this.step < this.config.train.steps;
      if (evalDue || probeDue) await Promise.all(inFlight.splice(0));
      if (evalDue) await this.evaluate();
      if (probeDue) await this.probeWithinBudget(activeNow());
    }
    await Promise.all(inFlight);
    await Promise.all(reads); // the last metrics arrive before train() returns
    await this.views.flush(this.step);
    this.activeMs = activeNow();
    if (this.step >= this.config.train.steps && !this.diverged) {
      if (this.lastEvalStep !== this.step) await this.evaluate();
      // The end is always probed: it is the run's result.
      if (this.history.probes.at(-1)?.step !== this.step) await this.runProbe();
    }
  }

  /** Whether the probe schedule asks for a probe after `step`: at evals, or every probe.every steps. */
  private probeScheduled(step: number, evalDue: boolean): boolean {
    if (!this.linearProbe) return false;
    const every = probeOf(this.config).every;
    return every > 0 ? step % every === 0 : evalDue;
  }

  /**
   * A scheduled probe, unless it would lift the probes' share of the run's time (training + probes)
   * above the budget; its cost is estimated as the last probe's. Budget 1 never skips.
   */
  private async probeWithinBudget(trainMs: number): Promise<void> {
    const last = this.history.probes.at(-1);
    const after = (last?.totalMs ?? 0) + (last?.ms ?? 0);
    if (after > probeOf(this.config).budget * (trainMs + after)) return;
    await this.runProbe(trainMs);
    this.probeMsInTrain += this.history.probes.at(-1)!.ms;
  }

  /**
   * The linear probes on the current weights (issue [H]); posts 'probe-eval'. The engine calls it
   * at step 0 (the untrained model: the baseline of what pretraining adds); the loop at scheduled
   * steps within the budget and at the end. Null when the run has no probe (the info says why).
   */
  async runProbe(trainMs = this.activeMs): Promise<ProbePoint | null> {
    if (!this.linearProbe) return null;
    const t0 = performance.now();
    const tasks = await this.linearProbe.run();
    const ms = performance.now() - t0;
    const totalMs = (this.history.probes.at(-1)?.totalMs ?? 0) + ms;
    // Training time (this.activeMs) excludes probes, so the share is probes / (training + probes).
    const point: ProbePoint = { step: this.step, tasks, ms, totalMs, share: totalMs / (trainMs + totalMs) };
    this.history.probes.push(point);
    this.post({ type: 'probe-eval', point });
    return point;
  }

  /**
   * One more training step with every dispatch timed (timestamp queries), for the bench; null
   * when the device has no timestamp-query. The step is real: it advances the run.
   */
  async profileStep(): Promise<DispatchTiming[] | null> {
    if (!this.gpu.hasTimestamps) return null;
    const profiler = new TimestampProfiler(this.gpu, 2048);
    try {
      const s = this.step;
      const { batch: B } = this.config.train;
      const batch = this.dataset.batch(s, B, this.batchBuf);
      this.batchBuf = batch;
      this.model.uploadBatch(batch.ids, batch.attention);
      this.model.setStep(s, learningRate(this.schedule, s));
      this.masking.prepareTrain(batch, s);
      const enc = new StepEncoder(this.gpu, { label: `profiled step ${s}`, profiler });
      this.masking.recordTrain(enc);
      this.model.recordTrainStep(enc);
      const { timings } = enc.submit();
      this.step = s + 1;
      return await timings!;
    } finally {
      profiler.destroy();
    }
  }

  async evaluate(): Promise<EvalPoint> {
    const metrics = this.objectiveMetrics ?? undefined;
    const r = await evaluate(this.gpu, this.model, this.masking, this.dataset.evalSet, this.evalBatches, 'fixed', metrics ? { metrics } : {});
    const own = await evaluate(this.gpu, this.model, this.masking, this.dataset.evalSet, this.evalBatches, 'own', { unigramCounts: this.dataset.unigram });
    const point: EvalPoint = { step: this.step, loss: r.loss, accuracy: r.accuracy, count: r.count, own: { loss: own.loss, accuracy: own.accuracy, count: own.count, unigram: own.unigram }, ...(r.values ? { values: r.values } : {}) };
    this.lastEvalStep = this.step;
    this.history.evals.push(point);
    this.post({ type: 'eval', point });
    return point;
  }

  /** ELECTRA: held-out rows token by token for the views (token-snapshot.ts). */
  snapshot(rows = 4): Promise<TokenSnapshot> {
    return tokenSnapshot(this.gpu, this.model, this.dataset, this.masking, this.step, rows);
  }

  private report(step: number, lr: number, m: Float32Array, g: Float32Array, st: Uint32Array, rate: number, tokensPerStep: number, elapsedMs: number, blocks: MetricBlocks): void {
    const now = performance.now();
    const steps = step + 1 - this.lastReport.step;
    const secs = (now - this.lastReport.at) / 1000;
    this.lastReport = { step: step + 1, at: now };
    const point: MetricPoint = {
      step: step + 1,
      loss: m[0]!,
      accuracy: m[1]!,
      lr,
      gradNorm: g[0]!,
      tokensPerSec: secs > 0 ? (steps * tokensPerStep) / secs : 0,
      elapsedMs,
      mask: maskStats(st, rate, this.model.shape.B),
    };
    if (this.objectiveMetrics) {
      const { values, loss } = this.objectiveMetrics.step(m, blocks, this.config);
      point.values = values;
      if (loss !== undefined) point.loss = loss;
    }
    this.history.metrics.push(point);
    this.post({ type: 'metrics', point });
    this.judge(step, point);
  }

  /**
   * The divergence watch on one metric window (`step` ran and produced `point`). A pass confirms
   * the copy of the state that step started from; a failure stops the loop and says where a
   * roll-back would go.
   */
  private judge(step: number, point: MetricPoint): void {
    if (this.diverged) return; // windows of steps already queued after the hit
    const hit = this.watch.check({ step: point.step, loss: point.loss, gradNorm: point.gradNorm });
    this.lastGood.verdict(step, !hit);
    if (!hit) return;
    this.divergence = hit;
    const back = this.lastGood.step;
    this.post({
      type: 'diverged',
      divergence: hit,
      rollbackStep: back,
      lr: point.lr,
      hint: back !== null
        ? `Roll back to step ${back} (the last state that passed) and continue, at a lower learning rate if it happens again; or lower the learning rate (now ${point.lr.toPrecision(3)}) or raise the warmup and start over.`
        : `No state passed the check yet: lower the learning rate (now ${point.lr.toPrecision(3)}) or raise the warmup, then start the run again.`,
    });
  }

  /**
   * Puts back the parameters and AdamW moments of the last state that passed the divergence
   * watch, exactly (a GPU copy), and drops what the run measured after it. `lrFactor` scales the
   * learning rate from here on (1: the same schedule, which replays the same steps). Between
   * steps only (the engine calls it on a paused run). Returns the step the run continues from.
   */
  async rollback(lrFactor = 1): Promise<number> {
    if (!(lrFactor > 0 && lrFactor <= 1)) throw new Error(`The learning-rate factor of a roll-back must be in (0, 1], got ${lrFactor}.`);
    const enc = new StepEncoder(this.gpu, { label: `roll back to step ${this.lastGood.step ?? '?'}` });
    const good = this.lastGood.restore(enc);
    await enc.submit().done();
    this.step = good;
    const dropAfter = (xs: { step: number }[]) => {
      const i = xs.findIndex((p) => p.step > good);
      if (i >= 0) xs.length = i;
    };
    dropAfter(this.history.metrics);
    dropAfter(this.history.evals);
    dropAfter(this.history.probes);
    this.lastEvalStep = this.history.evals.at(-1)?.step ?? -1;
    this.lrScale *= lrFactor;
    this.divergence = null;
    this.watch = new DivergenceWatch(this.history.metrics);
    return good;
  }

  /**
   * The run as a checkpoint: every parameter and both AdamW moments read off the GPU, the step,
   * the vocabulary and the history. Call between steps (the engine does: never while training).
   */
  async saveState(): Promise<CheckpointData> {
    const { gpu, model } = this;
    const pools = [['param', ''], ['m', 'm:'], ['v', 'v:']] as const;
    const values = await Promise.all(pools.map(([, prefix]) => readParams(gpu, model, prefix))); // one wait for all three
    const tensors: CheckpointTensor[] = pools.flatMap(([pool], i) => model.params.map((p) => ({ name: p.name, pool, shape: p.shape, data: values[i]!.get(p.name)! })));
    return {
      config: this.config,
      step: this.step,
      vocab: this.dataset.tokenizer.toVocabText(),
      history: { metrics: this.history.metrics.slice(), evals: this.history.evals.slice(), probes: this.history.probes.slice() },
      activeMs: this.activeMs,
      ...(this.lrScale !== 1 ? { lrScale: this.lrScale } : {}),
      savedAt: new Date().toISOString(),
      tensors,
    };
  }

  /**
   * Continues a saved run in this freshly created session (same setup: the engine checked it).
   * Batches, masks and ELECTRA's samples are keyed by step, so the next step is the one the
   * saved run would have taken. Throws CheckpointError before uploading anything if the file's
   * vocabulary or tensors are not this model's.
   */
  restoreState(c: CheckpointData): void {
    const vocab = this.dataset.tokenizer.toVocabText();
    if (vocab !== c.vocab) {
      const [a, b] = [c.vocab.split('\n'), vocab.split('\n')];
      const i = a.findIndex((t, k) => t !== b[k]);
      throw new CheckpointError(
        `The checkpoint's vocabulary differs from the one this setup builds (${a.length - 1} vs ${b.length - 1} tokens; first difference at id ${i}: ${JSON.stringify(a[i] ?? '')} vs ${JSON.stringify(b[i] ?? '')}).`,
        this.config.data.source === 'text' ? 'Load the same text the run was trained on (under Data), then resume.' : 'The corpus or tokenizer changed since it was saved: start a new run.',
      );
    }
    checkTensorLayout(c.tensors, this.model.params);
    const prefix = { param: '', m: 'm:', v: 'v:' } as const;
    for (const t of c.tensors) this.model.arena.write(prefix[t.pool] + t.name, t.data);
    this.step = c.step;
    this.history.metrics.push(...c.history.metrics);
    this.history.evals.push(...c.history.evals);
    this.history.probes.push(...(c.history.probes ?? []));
    this.activeMs = c.activeMs;
    this.lastEvalStep = c.history.evals.at(-1)?.step ?? -1;
    this.lrScale = c.lrScale ?? 1;
    this.watch = new DivergenceWatch(this.history.metrics);
  }

  destroy(): void {
    this.linearProbe?.destroy();
    this.views.destroy();
    this.lastGood.destroy();
    this.ring.destroy();
    this.model.destroy();
  }
}
