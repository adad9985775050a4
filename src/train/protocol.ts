// The typed messages between the engine (in a Web Worker, or in the plain headless page the CLI
// drives) and its client. Plain data only: they are posted, and large arrays are transferred.

import type { AdapterReport, GpuStats } from '../gpu/device.ts';
import type { TuneOutcome } from '../gpu/autotune.ts';
import type { GpuErrorInfo } from '../gpu/errors.ts';
import { RECORD } from '../masking/reference.ts';
import type { MaskingConfig } from '../masking/registry.ts';
import type { RunConfig } from '../model/config.ts';
import type { Divergence } from './divergence.ts';

export type { AdapterReport, Divergence, GpuErrorInfo, GpuStats, RunConfig, TuneOutcome };

/** Client → engine. */
export type EngineCommand =
  | { type: 'init' }
  /** Loads data, learns the tokenizer, builds the model; answers 'configured' or 'run-error'. */
  | { type: 'configure'; config: RunConfig }
  /** Trains until config.train.steps or 'pause'; `delayMs` > 0 is slow motion (a pause after each step). */
  | { type: 'start'; delayMs?: number }
  | { type: 'pause' }
  /** Trains `count` steps (default 1), then pauses. */
  | { type: 'step'; count?: number }
  /** Evaluates now on the held-out split. */
  | { type: 'eval' }
  /** Drops the model and its GPU memory. */
  | { type: 'stop' }
  /** Per-token snapshot of the probe batch (the first held-out rows): answers 'snapshot'. */
  | { type: 'snapshot'; rows?: number }
  /**
   * The user's own text for data source 'text' (a .txt file, read in the engine, or pasted text
   * as a Blob): checked and parsed there; answers corpus-progress… then corpus-ready, or
   * corpus-error with the previous corpus kept.
   */
  | { type: 'corpus'; name: string; data: Blob }
  /** What the open views want (replaces the previous request); served at once when idle. */
  | { type: 'views'; request: ViewRequest }
  /** Times training steps of a config (npm run bench); answers 'bench-result' or 'run-error'. */
  | { type: 'bench'; config: RunConfig; warmup: number; steps: number }
  /** The run as a checkpoint file (between steps): answers 'checkpoint'. */
  | { type: 'checkpoint'; reason: CheckpointReason }
  /** Autosave: a 'checkpoint' (reason 'autosave') every `every` steps and when a run pauses or ends; 0 = off. */
  | { type: 'autosave'; every: number }
  /**
   * Continues the run a checkpoint file holds, under `config` (refused with the differences if
   * it is another setup) or, without one, under the file's own setup. Answers 'restored', or
   * 'restore-error' with the current run untouched.
   */
  | { type: 'restore'; bytes: ArrayBuffer; config?: RunConfig }
  /**
   * After 'diverged': puts back the last state that passed the divergence check (exactly) and
   * drops what was measured after it; `lrFactor` (0, 1] scales the learning rate from there.
   * Answers 'rolled-back' (the run stays paused) or 'run-error'.
   */
  | { type: 'rollback'; lrFactor?: number }
  /**
   * Fault injection, for the reliability tests (and anyone checking what a bug looks like): an
   * exception inside a command ('command'), an uncaught one ('uncaught') or an unhandled
   * rejection ('rejection') in the engine's thread. Each must end as one 'run-error' banner.
   */
  | { type: 'fault'; kind: FaultKind }
  /** Exports the current weights: answers 'exported' (files by path) or 'export-error'. */
  | { type: 'export'; formats: ExportFormat[]; probe: string }
  /** Runs the exported ONNX model in onnxruntime-web on the probe and compares with our logits: answers 'export-verified' or 'export-error'. */
  | { type: 'verify-export'; probe: string }
  /** The GPU's counters now (live buffers and bytes among them): answers 'gpu-stats' at once, even mid-run. */
  | { type: 'stats' }
  /**
   * Kernel tuning when a run is set up (gpu/autotune.ts): 'auto' (the default) tunes on a
   * hardware GPU and not on a software fallback adapter, where the CPU's time is better spent
   * training; `budgetMs` bounds each tuning (default AUTOTUNE_BUDGET_MS).
   */
  | { type: 'autotune'; mode: AutotuneMode; budgetMs?: number }
  /** Skips the rest of a tuning in progress (acts at once): untuned kernels keep their defaults. */
  | { type: 'tune-skip' };

export type AutotuneMode = 'auto' | 'on' | 'off';
/** The default bound of one tuning, ms (only a first visit pays it; later ones hit the cache). */
export const AUTOTUNE_BUDGET_MS = 20_000;

export type CheckpointReason = 'download' | 'autosave';
export type FaultKind = 'command' | 'uncaught' | 'rejection';
/** hf: the Hugging Face folder; onnx: model.onnx; probe: probe.json (the probe's ids and our logits). */
export type ExportFormat = 'hf' | 'onnx' | 'probe';

/** onnxruntime-web against our engine on the probe sentence. */
export interface ExportCheck {
  step: number;
  /** Execution provider that ran the ONNX model ('webgpu' or 'wasm') and why, if it fell back. */
  ep: string;
  fallback?: string;
  /** What was compared: MLM logits at `positions` (BERT), or the discriminator's per-token logits (ELECTRA). */
  output: string;
  positions: number[];
  values: number;
  maxAbsDiff: number;
  tolerance: number;
  onnxBytes: number;
  ms: number;
}

export interface RunInfo {
  config: RunConfig;
  /** The masking strategy with every parameter filled in. */
  masking: MaskingConfig;
  vocabSize: number;
  /** Prediction slots per sequence. */
  P: number;
  parameters: number;
  /** Bytes of each arena pool (params, grads, moments, activations, ...). */
  plannedBytes: Record<string, number>;
  /** Estimated FLOPs of one training step (forward + backward), for compute-matched curves. */
  flopsPerStep: number;
  /** The objective's FLOPs per step by part (MLM: model; ELECTRA: generator, discriminator); absent in runs saved before it. */
  flops?: Record<string, number>;
  data: { source: string; trainTokens: number; heldOutTokens: number; evalRows: number; tokenizerMs: number; totalMs: number };
  /** Held-out loss of predicting each eval-masked token from training-split frequencies alone. */
  unigramBaseline: number;
  /** The linear probes: their tasks and baselines, or why this run has none. */
  probe: ProbeInfo;
  /** What the objective's held-out numbers are judged against (its runtime's `baselines`); absent = none. */
  baselines?: ObjectiveBaseline[];
}

/** A simple predictor's score on the held-out rows, in the units of one of the run's metrics. */
export interface ObjectiveBaseline {
  /** The metric it compares with: 'accuracy' (the common one) or one of the objective's. */
  metric: string;
  /** "each token id → its most frequent training position". */
  label: string;
  /** A table column's name for it: "per token id". */
  short: string;
  value: number;
}

/** One probe task as a run measures it (src/data/probe-tasks.ts). */
export interface ProbeTaskInfo {
  id: string;
  label: string;
  classes: readonly string[];
  /** Examples the classifier trains on (training documents) and is scored on (held-out documents). */
  train: number;
  test: number;
  macroF1: boolean;
  /** Always answering the most frequent training class, scored on the held-out examples. */
  majority: { label: string; accuracy: number; macroF1: number };
}

export type ProbeInfo =
  | {
      tasks: ProbeTaskInfo[];
      /** What each probed layer is: "embeddings", "layer 1", … (ELECTRA: the discriminator's). */
      layers: string[];
      /** Which network the features come from ("encoder", "discriminator"). */
      model: string;
      /** The classifier's schedule: full-batch AdamW steps and learning rate. */
      classifier: { steps: number; lr: number };
    }
  | { unavailable: string };

/** Held-out score of one layer's classifier. */
export interface ProbeScore {
  accuracy: number;
  macroF1: number;
}

/** The probes at one step: per task, a score per layer (embeddings first). Step 0 = the initial weights. */
export interface ProbePoint {
  step: number;
  tasks: { task: string; layers: ProbeScore[] }[];
  /** This probe's cost, and all probes' so far with their share of the run's time. */
  ms: number;
  totalMs: number;
  share: number;
}

/** What the masking did in one step (spec [C] item 5). */
export interface MaskStats {
  /** The step's scheduled rate (the strategy's rate, or its schedule's value at this step). */
  targetRate: number;
  /** Masked tokens / real tokens. */
  achievedRate: number;
  maskFrac: number;
  randomFrac: number;
  keepFrac: number;
  /** Masked tokens per masked unit (word, span, n-gram, PMI unit, entity). */
  meanUnitLength: number;
  unitsPerSequence: number;
  /** Attention-guided rows that fell back to random masking in this step. */
  fallbackRows: number;
}

export interface MetricPoint {
  step: number;
  loss: number;
  accuracy: number;
  lr: number;
  gradNorm: number;
  tokensPerSec: number;
  elapsedMs: number;
  mask: MaskStats;
  /**
   * The objective's own metrics by name (its spec's `metrics`; absent when it has none). ELECTRA:
   * loss is the total L = L_MLM + λ·L_D and accuracy the generator's.
   */
  values?: Record<string, number>;
}

export interface EvalPoint {
  step: number;
  /** On the fixed eval mask (uniform 15%, all [MASK], seed-frozen): comparable across runs. */
  loss: number;
  accuracy: number;
  /** Masked tokens scored. */
  count: number;
  /**
   * On the run's own masking strategy (seed-frozen), every chosen token shown as [MASK]: how hard
   * predicting the tokens this strategy picks is. `unigram`: the unigram baseline on those same
   * tokens (absent in runs saved before it existed).
   */
  own: { loss: number; accuracy: number; count: number; unigram?: number };
  /**
   * The objective's own metrics by name, on the fixed eval mask (ELECTRA: seed-frozen samples;
   * loss/accuracy are the generator's).
   */
  values?: Record<string, number>;
}

/** One token of the probe batch after an ELECTRA forward: what the views draw. */
export interface TokenSnapshot {
  step: number;
  rows: {
    /** The original tokens of the row (padding dropped). */
    tokens: string[];
    /** The discriminator's input: the generator's sample where masked, else the original. */
    input: string[];
    masked: boolean[];
    /** 1 = replaced (masked and sampled ≠ original). */
    labels: number[];
    /** The discriminator's probability that the token was replaced. */
    probs: number[];
  }[];
}

/**
 * What the open views ask of the engine. It serves them at step boundaries: the batch view is a
 * copy at the end of a training step (cheap); the probe is a forward pass of its own, run only
 * while probes have cost less than a small share of the training time (src/train/views.ts).
 */
export interface ViewRequest {
  /** Probe sentence for the attention views and fill-the-mask (`[MASK]` marks a blank); null = none. */
  probe: string | null;
  /** Rows of the current training batch for the mask and ELECTRA views (0 = none). */
  batchRows: number;
}

/** The model on the probe sentence, with the weights of `step`. */
export interface ProbeResult {
  step: number;
  text: string;
  /** The probe row as the model sees it: [CLS] tokens [SEP], cut to the model's T. */
  tokens: string[];
  /** The sentence did not fit in T tokens and was cut. */
  truncated: boolean;
  L: number;
  NH: number;
  /**
   * (L, NH, n, n) attention probabilities, n = tokens.length; [l][h][query][key]. ELECTRA: the
   * discriminator's (on the sentence as typed, [MASK] included).
   */
  attention: Float32Array;
  /** Per [MASK] of the sentence (the first P): its position and the 5 most likely tokens. */
  fill: { position: number; top: { token: string; prob: number }[] }[];
  /** ELECTRA: the discriminator's probability that each token was replaced. */
  replaced?: number[];
  /** The model's per-token outputs for its objective's view (ModelViews.tokenOutput): n rows of `cols` values. */
  tokenOutput?: number[][];
}

/** The user's text as the engine holds it. */
export interface CorpusInfo {
  name: string;
  bytes: number;
  words: number;
  /** Distinct word forms. */
  lexicon: number;
  docs: number;
  parseMs: number;
}

/** Mask record kinds (low two bits of the masking lab's record), named for the views. */
export const MASK_KIND = { none: RECORD.NONE, mask: RECORD.MASK, random: RECORD.RANDOM, keep: RECORD.KEEP } as const;

/** The first rows of a training batch as the model saw them, for the mask and ELECTRA views. */
export interface BatchView {
  /** Steps done: the rows are the batch of step index step − 1, as it was masked and scored. */
  step: number;
  rows: {
    /** Original tokens (padding dropped). */
    tokens: string[];
    /** The model's input: [MASK], a random token, or the token kept. */
    inputs: string[];
    /** MASK_KIND per token. */
    kinds: number[];
    /** Masked unit (word, span, n-gram, ...) per token; −1 where not masked. */
    units: number[];
    /** Masked tokens with a prediction slot: whether the top prediction was right; else null. */
    correct: (boolean | null)[];
    /** ELECTRA: the discriminator's input, its label (1 = replaced) and its probability. */
    electra?: { input: string[]; labels: number[]; probs: number[] };
  }[];
  /**
   * One fixed sequence (the first held-out row) under the run's strategy at the last steps up to
   * `step`: kinds[i][t] at steps[i] (the CPU twin of the GPU masking). Null for attention-guided
   * masking, whose masks depend on the model (`stripNote` says so).
   */
  strip: { tokens: string[]; steps: number[]; kinds: number[][] } | null;
  stripNote?: string;
}

/** Summed GPU time of the dispatches of one kernel in a profiled step. */
export interface KernelTime {
  kernel: string;
  dispatches: number;
  ms: number;
}

export interface BenchResult {
  preset: string;
  adapter: string;
  profile: string;
  shape: { L: number; C: number; NH: number; FFN: number; T: number; B: number; V: number };
  steps: number;
  msPerStep: number;
  tokensPerSec: number;
  gflopPerSec: number;
  /** Averages over the timed steps (after warm-up). */
  perStep: {
    dispatches: number;
    bindGroupsCreated: number;
    pipelinesCreated: number;
    buffersCreated: number;
    submits: number;
    writeBufferBytes: number;
    readbackBytes: number;
    mapAsyncCalls: number;
  };
  /** GPU time of the masking dispatches in one profiled step (null share: no timestamp-query). */
  masking: { strategy: string; gpuMs: number; stepGpuMs: number; share: number | null };
  /** GPU time of that profiled step by kernel (label minus its tensor name), largest first; [] without timestamp-query. */
  gpuTime: KernelTime[];
  plannedBytes: Record<string, number>;
  parameters: number;
  flopsPerStep: number;
}

export type RunState = 'idle' | 'running' | 'paused' | 'done';

/** What a run has measured so far; checkpoints keep it (probes: absent in files saved before them). */
export interface RunHistory {
  metrics: MetricPoint[];
  evals: EvalPoint[];
  probes?: ProbePoint[];
}

/** Engine → client. */
export type EngineEvent =
  | { type: 'gpu-ready'; adapter: AdapterReport }
  /** Setup failed (no WebGPU, no adapter) or the device broke later (lost, out of memory, bug). */
  | { type: 'gpu-error'; error: GpuErrorInfo }
  | { type: 'configured'; info: RunInfo }
  | { type: 'metrics'; point: MetricPoint }
  | { type: 'eval'; point: EvalPoint }
  /** The linear probes at a step (step 0: the untrained model, the "what pretraining adds" baseline). */
  | { type: 'probe-eval'; point: ProbePoint }
  | { type: 'status'; state: RunState; step: number }
  /** A run could not be set up or went wrong (bad config, a failed step); the run's history stays. */
  | { type: 'run-error'; message: string; hint: string }
  /**
   * A metric window broke a divergence rule (divergence.ts): the run pauses. `rollbackStep`: the
   * last step whose state passed (null: none yet); `lr`: the learning rate at the hit.
   */
  | { type: 'diverged'; divergence: Divergence; rollbackStep: number | null; lr: number; hint: string }
  /** The run is back at `step` (its history after it dropped), learning rate now × `lrScale`. */
  | { type: 'rolled-back'; step: number; lrScale: number }
  /**
   * After a lost device: the run rebuilt on a new one at `step` from the state the engine held on
   * the CPU ('saved state': its last autosave or checkpoint) or from its seed ('start'); the
   * `lostSteps` after it are dropped from the history and are retrained, exactly, on Train.
   */
  | { type: 'recovered'; step: number; lostSteps: number; from: 'saved state' | 'start' }
  | { type: 'bench-result'; result: BenchResult }
  | { type: 'snapshot'; snapshot: TokenSnapshot }
  | { type: 'probe'; probe: ProbeResult }
  | { type: 'corpus-progress'; name: string; done: number; total: number }
  | { type: 'corpus-ready'; corpus: CorpusInfo }
  | { type: 'corpus-error'; name: string; message: string; hint: string }
  | { type: 'batch-view'; view: BatchView }
  | { type: 'checkpoint'; reason: CheckpointReason; step: number; config: RunConfig; bytes: ArrayBuffer }
  /** A checkpoint resumed: the run (its setup, history and step) replaces the current one. */
  | { type: 'restored'; info: RunInfo; step: number; history: RunHistory; state: RunState }
  /** A checkpoint refused (not a checkpoint, damaged, another setup): the current run is untouched. */
  | { type: 'restore-error'; message: string; hint: string; otherSetup: boolean }
  | { type: 'exported'; files: { path: string; bytes: ArrayBuffer }[] }
  | { type: 'export-verified'; check: ExportCheck }
  | { type: 'export-error'; message: string; hint: string }
  | { type: 'log'; line: string }
  /** Answers 'stats'; null before the engine has a device. */
  | { type: 'gpu-stats'; stats: GpuStats | null }
  /** Kernel tuning under way while a run is set up: `done` of `total` kernels, `key` next. */
  | { type: 'tune-progress'; done: number; total: number; key: string }
  /** Tuning ended: the choice per kernel of the run just set up, and the tuning's wall time. */
  | { type: 'tuned'; outcomes: TuneOutcome[]; ms: number; rebuilt: boolean };

export type PostEvent = (event: EngineEvent, transfer?: Transferable[]) => void;

/** For drivers whose bridge carries JSON (the CLI's headless page): a command or event with its ArrayBuffer `bytes` as base64. */
export type WireCommand = Exclude<EngineCommand, { type: 'restore' }> | (Omit<Extract<EngineCommand, { type: 'restore' }>, 'bytes'> & { bytes: string });
export type WireEvent =
  | Exclude<EngineEvent, { type: 'exported' | 'checkpoint' }>
  | (Omit<Extract<EngineEvent, { type: 'checkpoint' }>, 'bytes'> & { bytes: string })
  | { type: 'exported'; files: { path: string; bytes: string }[] };

