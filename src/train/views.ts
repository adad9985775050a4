// What the views see of a run, served from the engine without slowing training down:
//   batch view: the first rows of a training batch (tokens, the model's input, the mask record,
//               right/wrong per prediction, ELECTRA's samples and probabilities), copied at the
//               end of that step's own command buffer — a few KB, no extra GPU work;
//   probe:      the model on the probe sentence (attention of every layer and head, top-5 for
//               each [MASK], ELECTRA's "looks replaced" probabilities): a forward pass of its own,
//               submitted between two steps, every PROBE_EVERY steps; on the model's one-row
//               plan where it has one (BERT: row-predictor.ts, built when a probe is first
//               asked for), else on the whole batch with the sentence in every row;
//   mask strip: one fixed held-out sequence under the run's strategy at the last steps, from the
//               CPU twin of the GPU masking (no GPU work at all).
// Both GPU readbacks use their own rings and are skipped, never waited for, while one is in
// flight. What it does not do: decide what is requested (the client sends a ViewRequest) or draw.

import { sliceRows, type Batch } from '../data/batcher.ts';
import type { Dataset } from '../data/dataset.ts';
import { CLS_ID, MASK_ID, PAD_ID, SEP_ID, splitWords, type Tokenizer } from '../data/tokenizer.ts';
import type { Gpu } from '../gpu/device.ts';
import { StepEncoder } from '../gpu/step-encoder.ts';
import type { BufferRange } from '../gpu/pipelines.ts';
import { ReadbackRing } from '../gpu/readback.ts';
import { viewSlotBytes, VIEW_RING_SLOTS } from '../model/run-memory.ts';
import { labParams, maskingLabReference, type LabParams } from '../masking/selection.ts';
import { strategyOf, type MaskingConfig } from '../masking/registry.ts';
import { buildUnits, type Units } from '../masking/units.ts';
import type { BertModel, RowPredictor } from '../model/bert.ts';
import type { RunConfig } from '../model/config.ts';
import { usesAttention } from './masking-stage.ts';
import type { BatchView, PostEvent, ProbeResult, ViewRequest } from './protocol.ts';

/** Share of the training time the probe may take: a forward pass is ~1/3 of a step (flops.ts). */
const PROBE_BUDGET = 0.03;
export const PROBE_EVERY = Math.ceil(1 / 3 / PROBE_BUDGET);
/** No view is refreshed faster than this: nobody reads faster, and the main thread must draw. */
const MIN_INTERVAL_MS = 250;
/** Steps the mask strip shows. */
export const STRIP_STEPS = 24;
const TOP_K = 5;

/** Probe row: [CLS] words [SEP], cut to T (the [SEP] kept). */
export function encodeProbe(text: string, tok: Tokenizer, T: number): { ids: Uint32Array; truncated: boolean } {
  const words = splitWords(text);
  const body = words.length ? Array.from(tok.encodeWords(words).ids) : [];
  const truncated = body.length > T - 2;
  return { ids: Uint32Array.from([CLS_ID, ...body.slice(0, T - 2), SEP_ID]), truncated };
}

/**
 * Writes the probe sentence `ids` (n ≤ T) as every row of the model's (B,T) batch, unmasked
 * (inputs = tokens), with the MLM head's slots (B·P positions and weights; weight 0 = unused).
 */
export function uploadProbe(m: RowPredictor, ids: Uint32Array, T: number, positions: Uint32Array, weights: Float32Array): void {
  const { B } = m.shape;
  const tokens = new Uint32Array(B * T).fill(PAD_ID);
  const attn = new Uint32Array(B * T);
  for (let b = 0; b < B; b++) {
    tokens.set(ids, b * T);
    attn.fill(1, b * T, b * T + ids.length);
  }
  m.uploadBatch(tokens, attn);
  m.arena.write('inputs', tokens);
  m.arena.write('positions', positions);
  m.arena.write('weights', weights);
}

/** The k largest of softmax(logits) with their ids, most likely first. */
export function topK(logits: Float32Array, k: number): { id: number; prob: number }[] {
  let max = -Infinity;
  for (const v of logits) max = Math.max(max, v);
  let sum = 0;
  for (const v of logits) sum += Math.exp(v - max);
  const best: { id: number; logit: number }[] = [];
  logits.forEach((logit, id) => {
    if (best.length < k || logit > best[best.length - 1]!.logit) {
      best.push({ id, logit });
      best.sort((a, b) => b.logit - a.logit || a.id - b.id);
      if (best.length > k) best.pop();
    }
  });
  return best.map((b) => ({ id: b.id, prob: Math.exp(b.logit - max) / sum }));
}

const sub = (r: BufferRange, offsetBytes: number, sizeBytes: number): BufferRange => ({ buffer: r.buffer, offset: r.offset + offsetBytes, size: sizeBytes });

export class ViewServer {
  request: ViewRequest = { probe: null, batchRows: 0 };
  private readonly batchRing: ReadbackRing;
  private readonly probeRing: ReadbackRing;
  private lastBatch = { at: -Infinity, step: -1 };
  private lastProbe = { at: -Infinity, step: -Infinity };
  private readonly stripRow: Batch;
  private stripLab: { units: Units; params: LabParams; tokens: string[]; kinds: Map<number, number[]> } | null = null;
  /** The one-row plan once built; until then (or where the model has none) the batch plan serves. */
  private row: RowPredictor | null = null;
  private rowBuilding: Promise<void> | null = null;
  private destroyed = false;

  constructor(
    private readonly gpu: Gpu,
    private readonly model: BertModel,
    private readonly dataset: Dataset,
    private readonly config: RunConfig,
    private readonly masking: MaskingConfig,
    private readonly post: PostEvent,
  ) {
    const { B, P, V } = model.shape;
    const { T, NH } = config.model;
    // Sized where the memory check reads them (model/run-memory.ts).
    const slot = viewSlotBytes({ B, T, P, V, NH, layers: model.views.probs.length, disc: model.views.disc !== null, tokenCols: model.views.tokenOutput?.cols ?? 0 });
    this.batchRing = new ReadbackRing(gpu, slot.batch, VIEW_RING_SLOTS.batch);
    this.probeRing = new ReadbackRing(gpu, slot.probe, VIEW_RING_SLOTS.probe);
    this.stripRow = sliceRows(dataset.evalSet, 0, 1);
  }

  private get tok(): Tokenizer {
    return this.dataset.tokenizer;
  }

  /**
   * Before step `step` is submitted: copies the batch rows at the end of its command buffer when
   * due (or `force`d: the last step of a train() call, so single steps always refresh the views).
   */
  recordBatch(enc: StepEncoder, step: number, force: boolean): void {
    const R = Math.min(this.request.batchRows, this.model.shape.B);
    const now = performance.now();
    if (R < 1 || (!force && now - this.lastBatch.at < MIN_INTERVAL_MS)) return;
    const { T } = this.config.model;
    const { P } = this.model.shape;
    const t = (n: string) => this.model.t(n);
    const v = this.model.views;
    const rowsT = (n: string) => sub(t(n), 0, 4 * R * T);
    const rowsP = (n: string) => sub(t(n), 0, 4 * R * P);
    const sources = [rowsT('tokens'), rowsT('attn_mask'), rowsT('inputs'), rowsT('record'), rowsP('positions'), rowsP('weights'), ...(v.correct ? [rowsP(v.correct)] : []), ...(v.disc ? [rowsT(v.disc.inputs), rowsT(v.disc.labels), rowsT(v.disc.probs)] : [])];
    const read = enc.readback(this.batchRing, sources);
    if (!read) return;
    this.lastBatch = { at: now, step };
    read.then(
      (bufs) => this.post({ type: 'batch-view', view: this.batchView(step, R, bufs) }),
      () => undefined, // device lost: the gpu-error event tells the user
    );
  }

  private batchView(step: number, R: number, bufs: ArrayBuffer[]): BatchView {
    const { T } = this.config.model;
    const { P } = this.model.shape;
    const v = this.model.views;
    const [tokens, attn, inputs, record] = bufs.slice(0, 4).map((b) => new Uint32Array(b)) as [Uint32Array, Uint32Array, Uint32Array, Uint32Array];
    const positions = new Uint32Array(bufs[4]!);
    const weights = new Float32Array(bufs[5]!);
    let i = 6;
    const correct = v.correct ? new Float32Array(bufs[i++]!) : null;
    const disc = v.disc ? { input: new Uint32Array(bufs[i++]!), labels: new Float32Array(bufs[i++]!), probs: new Float32Array(bufs[i++]!) } : null;
    const name = (id: number) => this.tok.idToToken(id);
    const rows: BatchView['rows'] = [];
    for (let b = 0; b < R; b++) {
      const n = attn.subarray(b * T, (b + 1) * T).reduce((a, x) => a + x, 0);
      const at = (a: ArrayLike<number>, k: number) => a[b * T + k]!;
      const right: (boolean | null)[] = new Array<boolean | null>(n).fill(null);
      if (correct) {
        for (let p = 0; p < P; p++) if (weights[b * P + p]! > 0 && positions[b * P + p]! < n) right[positions[b * P + p]!] = correct[b * P + p]! > 0.5;
      }
      const idx = Array.from({ length: n }, (_, k) => k);
      rows.push({
        tokens: idx.map((k) => name(at(tokens, k))),
        inputs: idx.map((k) => name(at(inputs, k))),
        kinds: idx.map((k) => at(record, k) & 3),
        units: idx.map((k) => (at(record, k) & 3 ? at(record, k) >>> 8 : -1)),
        correct: right,
        ...(disc ? { electra: { input: idx.map((k) => name(at(disc.input, k))), labels: idx.map((k) => at(disc.labels, k)), probs: idx.map((k) => at(disc.probs, k)) } } : {}),
      });
    }
    return { step, rows, ...this.strip(step - 1) }; // `step` steps done: the batch was step index step − 1
  }

  /**
   * The first held-out row under the run's strategy at the STRIP_STEPS steps up to `step`. Its
   * units and lab parameters never change, and each step's kinds are computed once: a refresh
   * usually adds a step or two to the window.
   */
  private strip(step: number): Pick<BatchView, 'strip' | 'stripNote'> {
    const m = this.masking;
    if (usesAttention(m)) return { strip: null, stripNote: `${strategyOf(m).name} masks depend on the model at each step, so they are not replayed here; the batch above shows the real ones.` };
    const row = this.stripRow;
    const n = row.lengths[0]!;
    const { T } = this.config.model;
    const { P, V } = this.model.shape;
    this.stripLab ??= {
      units: buildUnits(m, row, { tagNames: this.dataset.tagNames, unigram: this.dataset.unigram }),
      params: labParams(m, { seed: this.config.train.seed, totalSteps: this.config.train.steps, T, P, V, unigram: this.dataset.unigram }),
      tokens: Array.from(row.ids.subarray(0, n), (id) => this.tok.idToToken(id)),
      kinds: new Map(),
    };
    const lab = this.stripLab;
    const first = Math.max(0, step - STRIP_STEPS + 1);
    for (const s of lab.kinds.keys()) if (s < first || s > step) lab.kinds.delete(s);
    const steps: number[] = [];
    const kinds: number[][] = [];
    for (let s = first; s <= step; s++) {
      let k = lab.kinds.get(s);
      if (!k) {
        const out = maskingLabReference({ tokens: row.ids, units: lab.units.units, weights: lab.units.weights }, { B: 1, T, P, V }, lab.params, s);
        k = Array.from(out.record.subarray(0, n), (r) => r & 3);
        lab.kinds.set(s, k);
      }
      steps.push(s);
      kinds.push(k);
    }
    return { strip: { tokens: lab.tokens, steps, kinds } };
  }

  /** Which plan the probe runs on now: the model's one-row plan, or the whole batch. */
  get probePlan(): 'row' | 'batch' {
    return this.row ? 'row' : 'batch';
  }

  /**
   * Starts building the model's one-row plan (once). A failure is reported on the console and
   * leaves the batch plan in place: the view still works, at its old cost.
   */
  private buildRow(): Promise<void> {
    this.rowBuilding ??= (this.model.createRowPredictor?.() ?? Promise.resolve(null)).then(
      (row) => {
        if (this.destroyed) row?.destroy();
        else this.row = row;
      },
      (e: unknown) => console.warn(`probe view: no one-row plan, the probe runs on the whole batch (${e instanceof Error ? e.message : String(e)})`),
    );
    return this.rowBuilding;
  }

  /** After step `step` (steps done) was submitted: runs the probe when due or forced. */
  maybeProbe(step: number, force: boolean): void {
    if (this.request.probe === null) return;
    void this.buildRow();
    const now = performance.now();
    const due = step - this.lastProbe.step >= PROBE_EVERY && now - this.lastProbe.at >= MIN_INTERVAL_MS;
    if (!due && !force) return;
    const done = this.submitProbe(step);
    if (done) this.lastProbe = { at: now, step };
  }

  /**
   * When training stops (done, paused, single steps): brings views that skipped the last step up
   * to date. The arena still holds that step's tensors, so the batch copy needs no recompute.
   */
  async flush(step: number): Promise<void> {
    const reads: Promise<void>[] = [];
    if (this.request.batchRows > 0 && step > 0 && this.lastBatch.step !== step) {
      const enc = new StepEncoder(this.gpu, { label: 'batch view' });
      this.recordBatch(enc, step, true);
      enc.submit();
    }
    if (this.request.probe !== null && this.lastProbe.step !== step) {
      const p = this.submitProbe(step);
      if (p) {
        this.lastProbe = { at: performance.now(), step };
        reads.push(p);
      }
    }
    await Promise.all(reads);
  }

  /** Runs the probe now (idle engine) and waits for its result to be posted. */
  async probeNow(step: number): Promise<void> {
    if (this.request.probe === null) return;
    await this.buildRow();
    await this.submitProbe(step);
  }

  /**
   * Writes the probe sentence as every row of the plan's batch (one row on the one-row plan;
   * on the batch plan, every row, since its kernels are shaped for B rows), runs the prediction
   * and reads row 0. On the batch plan queue order keeps it apart from training: the next step
   * uploads its own batch afterwards.
   */
  private submitProbe(step: number): Promise<void> | null {
    const text = this.request.probe ?? '';
    const m = this.row ?? this.model;
    const { B, P, V } = m.shape;
    const { T, NH } = this.config.model;
    const { ids, truncated } = encodeProbe(text, this.tok, T);
    const masks = [...ids.keys()].filter((k) => ids[k] === MASK_ID).slice(0, P);
    const positions = new Uint32Array(B * P);
    const weights = new Float32Array(B * P);
    for (let b = 0; b < B; b++) {
      masks.forEach((pos, p) => {
        positions[b * P + p] = pos;
        weights[b * P + p] = 1;
      });
    }
    if (this.probeRing.free < 1) return null; // the last probe is still being read
    const v = m.views;
    uploadProbe(m, ids, T, positions, weights);
    const enc = new StepEncoder(this.gpu, { label: 'probe' });
    m.recordPredict(enc);
    const sources = [
      ...v.probs.map((name) => sub(m.t(name), 0, 4 * NH * T * T)), // row 0 of (B,NH,T,T)
      ...(v.logits && masks.length ? [sub(m.t(v.logits), 0, 4 * masks.length * V)] : []), // row 0's slots
      ...(v.disc ? [sub(m.t(v.disc.logits), 0, 4 * T)] : []),
      ...(v.tokenOutput ? [sub(m.t(v.tokenOutput.tensor), 0, 4 * T * v.tokenOutput.cols)] : []), // row 0
    ];
    const read = enc.readback(this.probeRing, sources)!;
    enc.submit();
    return read.then(
      (bufs) => {
        const probe = this.probeResult(step, text, ids, truncated, masks, bufs);
        this.post({ type: 'probe', probe }, [probe.attention.buffer]); // moved, not copied
      },
      () => undefined, // device lost: the gpu-error event tells the user
    );
  }

  private probeResult(step: number, text: string, ids: Uint32Array, truncated: boolean, masks: number[], bufs: ArrayBuffer[]): ProbeResult {
    const { T, NH } = this.config.model;
    const { V } = this.model.shape;
    const L = this.model.views.probs.length;
    const n = ids.length;
    const attention = new Float32Array(L * NH * n * n);
    for (let l = 0; l < L; l++) {
      const a = new Float32Array(bufs[l]!);
      for (let h = 0; h < NH; h++) for (let q = 0; q < n; q++) attention.set(a.subarray((h * T + q) * T, (h * T + q) * T + n), ((l * NH + h) * n + q) * n);
    }
    let i = L;
    const logits = this.model.views.logits && masks.length ? new Float32Array(bufs[i++]!) : null;
    const fill = logits ? masks.map((position, p) => ({ position, top: topK(logits.subarray(p * V, (p + 1) * V), TOP_K).map((x) => ({ token: this.tok.idToToken(x.id), prob: x.prob })) })) : [];
    const disc = this.model.views.disc ? new Float32Array(bufs[i++]!) : null;
    const out = this.model.views.tokenOutput;
    const outputs = out ? new Float32Array(bufs[i++]!) : null;
    return {
      step,
      text,
      tokens: Array.from(ids, (id) => this.tok.idToToken(id)),
      truncated,
      L,
      NH,
      attention,
      fill,
      ...(disc ? { replaced: Array.from(disc.subarray(0, n), (z) => 1 / (1 + Math.exp(-z))) } : {}),
      ...(out && outputs ? { tokenOutput: Array.from({ length: n }, (_, k) => Array.from(outputs.subarray(k * out.cols, (k + 1) * out.cols))) } : {}),
    };
  }

  destroy(): void {
    this.destroyed = true;
    this.row?.destroy();
    this.row = null;
    this.batchRing.destroy();
    this.probeRing.destroy();
  }
}
