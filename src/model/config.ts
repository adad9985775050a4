// One typed config for a run (model shape + training hyperparameters + data), its presets, and
// its validation. Every number the engine uses comes from here: no literals in kernels or loops.
// Validation returns every problem with the field name and valid range, for the CLI, the setup
// panel and URL parsing alike.

import { PROBE_TASK_IDS, type ProbeTaskId } from '../data/probe-tasks.ts';
import { predictionSlots } from '../masking/budget.ts';
import { parseMaskingConfig, type MaskingConfig, type ParamValue } from '../masking/registry.ts';
import { ELECTRA } from '../objectives/electra/spec.ts';
import { objectiveDefaults, validateObjective, withMaskingDefaults } from '../objectives/registry.ts';

/** 'text': the user's own text, loaded into the engine before the run (src/data/text-corpus.ts). */
export type DataSource = 'brown' | 'text' | 'synthetic-successor' | 'synthetic-copy';
export type TokenizerKind = 'wordpiece' | 'char';
export const LR_DECAYS = ['linear', 'cosine', 'constant'] as const;
export type LrDecay = (typeof LR_DECAYS)[number];

export interface ModelConfig {
  /** Layers. */
  L: number;
  /** Hidden size. */
  C: number;
  /** Attention heads; head size HS = C / NH. */
  NH: number;
  /** Feed-forward hidden size. */
  FFN: number;
  /** Sequence length (and number of learned positions). */
  T: number;
  layerNormEps: number;
  /** Std of the normal init of weights and embeddings (Hugging Face initializer_range). */
  initStd: number;
}

export interface TrainConfig {
  batch: number;
  steps: number;
  seed: number;
  lr: number;
  warmupSteps: number;
  decay: LrDecay;
  weightDecay: number;
  beta1: number;
  beta2: number;
  adamEps: number;
  /** Global grad-norm clip; 0 disables clipping. */
  maxGradNorm: number;
  /** Eval loss/accuracy on the held-out split every this many steps (0: only at the end). */
  evalEvery: number;
  evalBatches: number;
  /** Metrics are read back every this many steps (readback never stalls the GPU). */
  logEvery: number;
}

export interface DataConfig {
  source: DataSource;
  tokenizer: TokenizerKind;
  /** WordPiece vocabulary size to learn (ignored by char and synthetic data). */
  vocabSize: number;
}

/** The masking strategy and the parameters given for it; the rest take registry defaults. */
export interface MaskingChoice {
  strategy: string;
  params: Record<string, ParamValue>;
}

/** An objective's id (src/objectives/registry.ts). */
export type Objective = string;

/** ELECTRA's options (spec B2/B3; google-research/electra names in brackets). */
export interface ElectraConfig {
  /** λ, the weight of the discriminator loss [disc_weight]. */
  discWeight: number;
  /** Generator hidden size as a fraction of the discriminator's [generator_hidden_size]. */
  genFraction: number;
  /** Sampling temperature of the generator [temperature]. */
  temperature: number;
  /** Generator and discriminator share token, position and type embeddings [!untied_generator_embeddings]. */
  tiedEmbeddings: boolean;
  /** Replacements drawn uniformly, no generator compute [uniform_generator] (RTS). */
  uniformGenerator: boolean;
  /** Never sample the original token [disallow_correct]. */
  disallowCorrect: boolean;
  /** The "ELECTRA-15%" ablation: discriminator loss on masked positions only. */
  maskedOnly: boolean;
}

/** ELECTRA's defaults, from its objective spec (src/objectives/electra/spec.ts). */
export const DEFAULT_ELECTRA: Readonly<ElectraConfig> = objectiveDefaults(ELECTRA) as unknown as ElectraConfig;

/** The linear probes (issue [H]): evaluation only, so they never change what the model learns. */
export interface ProbeConfig {
  /** Probe tasks (src/data/probe-tasks.ts); [] = none. Corpora without labels skip them and say why. */
  tasks: ProbeTaskId[];
  /** Probe every this many steps; 0 = at every eval. The untrained model (step 0) and the end are always probed. */
  every: number;
  /** Skip a scheduled probe that would lift the probes' share of the run's time above this (0..1). */
  budget: number;
}

export const DEFAULT_PROBE: Readonly<ProbeConfig> = { tasks: ['pos', 'genre'], every: 0, budget: 0.1 };

/** The run's probe settings; configs saved before probes existed get the defaults. */
export function probeOf(c: RunConfig): ProbeConfig {
  return c.probe ?? { ...DEFAULT_PROBE, tasks: [...DEFAULT_PROBE.tasks] };
}

export interface RunConfig {
  preset: string;
  /** Masked LM (BERT) or replaced-token detection with a generator (ELECTRA). */
  objective: Objective;
  model: ModelConfig;
  train: TrainConfig;
  data: DataConfig;
  masking: MaskingChoice;
  /** Used when objective = 'electra'. */
  electra: ElectraConfig;
  /** Absent in configs saved before probes existed: read it with probeOf(). */
  probe?: ProbeConfig;
}

const DEFAULT_TRAIN: TrainConfig = {
  batch: 32,
  steps: 2000,
  seed: 1,
  lr: 1e-3,
  warmupSteps: 100,
  decay: 'linear',
  weightDecay: 0.01,
  beta1: 0.9,
  beta2: 0.999,
  adamEps: 1e-6,
  maxGradNorm: 1.0,
  evalEvery: 200,
  evalBatches: 8,
  logEvery: 1,
};

export interface Preset {
  id: string;
  name: string;
  description: string;
  config: RunConfig;
}

export const PRESETS: Preset[] = [
  {
    id: 'bert-micro',
    name: 'BERT micro',
    description: '2 layers, hidden 32, 2 heads, sequences of 16, on the synthetic successor task: learns it in about 450 steps (seconds on a GPU); for tests and demos.',
    config: {
      preset: 'bert-micro',
      model: { L: 2, C: 32, NH: 2, FFN: 64, T: 16, layerNormEps: 1e-12, initStd: 0.02 },
      // Constant LR: this task "clicks" late (the model must learn to attend to its neighbours),
      // and a decaying LR delays that (measured with the float64 reference trainer).
      train: { ...DEFAULT_TRAIN, batch: 32, steps: 450, lr: 5e-3, warmupSteps: 20, decay: 'constant', evalEvery: 150, evalBatches: 4, logEvery: 1 },
      data: { source: 'synthetic-successor', tokenizer: 'wordpiece', vocabSize: 1000 },
      masking: { strategy: 'random', params: {} },
      objective: 'mlm',
      electra: { ...DEFAULT_ELECTRA },
      probe: { ...DEFAULT_PROBE, tasks: [...DEFAULT_PROBE.tasks] },
    },
  },
  {
    id: 'bert-tiny',
    name: 'BERT tiny',
    description: 'The Google BERT-Tiny shape (2 layers, hidden 128, 2 heads, FFN 512), sequences of 128, on the Brown corpus.',
    config: {
      preset: 'bert-tiny',
      model: { L: 2, C: 128, NH: 2, FFN: 512, T: 128, layerNormEps: 1e-12, initStd: 0.02 },
      train: { ...DEFAULT_TRAIN },
      data: { source: 'brown', tokenizer: 'wordpiece', vocabSize: 4096 },
      masking: { strategy: 'random', params: {} },
      objective: 'mlm',
      electra: { ...DEFAULT_ELECTRA },
      probe: { ...DEFAULT_PROBE, tasks: [...DEFAULT_PROBE.tasks] },
    },
  },
  {
    id: 'electra-micro',
    name: 'ELECTRA micro',
    description: 'A bert-micro-sized discriminator with a generator of hidden size 8 (1/4), on the synthetic successor task; the generator never samples the original token, so there is always something to detect: held-out discriminator AUC ≥ 0.84 in 1500 steps on each of seeds 1–5.',
    config: {
      preset: 'electra-micro',
      objective: 'electra',
      // initStd 0.1, not 0.02: at width 32 the discriminator's attention leaves its uniform start
      // (and detection becomes possible) hundreds of steps sooner; measured, see the issue note.
      model: { L: 2, C: 32, NH: 2, FFN: 64, T: 16, layerNormEps: 1e-12, initStd: 0.1 },
      train: { ...DEFAULT_TRAIN, batch: 32, steps: 1500, lr: 5e-3, warmupSteps: 20, decay: 'constant', evalEvery: 250, evalBatches: 4, logEvery: 1 },
      data: { source: 'synthetic-successor', tokenizer: 'wordpiece', vocabSize: 1000 },
      masking: { strategy: 'random', params: {} },
      // The successor task is deterministic: with Google's default (the original token may be
      // sampled) the generator learns it almost perfectly on some seeds, hardly any token is
      // replaced and the discriminator learns to answer "original" (seed 5: AUC 0.66 after 1000
      // steps, precision and recall 0). disallow_correct keeps every masked token replaced.
      electra: { ...DEFAULT_ELECTRA, disallowCorrect: true },
      probe: { ...DEFAULT_PROBE, tasks: [...DEFAULT_PROBE.tasks] },
    },
  },
  {
    id: 'electra-tiny',
    name: 'ELECTRA tiny',
    description: 'A BERT-Tiny-shaped discriminator (2 layers, hidden 128) with a 1/4-size generator (hidden 32), sequences of 128, on the Brown corpus.',
    config: {
      preset: 'electra-tiny',
      objective: 'electra',
      model: { L: 2, C: 128, NH: 2, FFN: 512, T: 128, layerNormEps: 1e-12, initStd: 0.02 },
      train: { ...DEFAULT_TRAIN },
      data: { source: 'brown', tokenizer: 'wordpiece', vocabSize: 4096 },
      masking: { strategy: 'random', params: {} },
      electra: { ...DEFAULT_ELECTRA },
      probe: { ...DEFAULT_PROBE, tasks: [...DEFAULT_PROBE.tasks] },
    },
  },
];

export function presetById(id: string): Preset | undefined {
  return PRESETS.find((p) => p.id === id);
}

/** A deep copy of a preset's config, so callers can change it freely. */
export function presetConfig(id: string): RunConfig {
  const p = presetById(id);
  if (!p) throw new Error(`Unknown preset "${id}". Presets: ${PRESETS.map((x) => x.id).join(', ')}.`);
  return structuredClone(p.config);
}

/**
 * The masking parameters as given, on top of the objective's defaults (ELECTRA corrupts with 85%
 * [MASK], 0% random, 15% kept, spec B2, unless the run says otherwise).
 */
export function maskingParams(c: RunConfig): Record<string, ParamValue> {
  return withMaskingDefaults(c.objective, c.masking.params);
}

/** The masking config with every parameter filled in; throws if invalid (validate first). */
export function maskingOf(c: RunConfig): MaskingConfig {
  const { config, problems } = parseMaskingConfig(c.masking.strategy, maskingParams(c));
  if (!config) throw new Error(problems.map((p) => p.message).join('\n'));
  return config;
}

/** Prediction slots per sequence (the MLM head's rows): round(T·rate)+1 for the run's peak rate (T=128 → 20). */
export function maxPredictions(c: RunConfig): number {
  const m = maskingOf(c);
  return predictionSlots(m.strategy, m.params, c.model.T);
}

export interface ConfigProblem {
  field: string;
  message: string;
}

type Range = [field: string, value: number, min: number, max: number, integer: boolean];

/** Every problem with the config, each naming the field and its valid range. Empty = valid. */
export function validateConfig(c: RunConfig): ConfigProblem[] {
  const m = c.model;
  const t = c.train;
  const ranges: Range[] = [
    ['model.L', m.L, 1, 24, true],
    ['model.C', m.C, 8, 1024, true],
    ['model.NH', m.NH, 1, 32, true],
    ['model.FFN', m.FFN, 8, 8192, true],
    ['model.T', m.T, 4, 512, true],
    ['model.layerNormEps', m.layerNormEps, 0, 1e-2, false],
    ['model.initStd', m.initStd, 1e-4, 1, false],
    ['train.batch', t.batch, 1, 1024, true],
    ['train.steps', t.steps, 1, 10_000_000, true],
    ['train.seed', t.seed, 0, 2 ** 32 - 1, true],
    ['train.lr', t.lr, 1e-7, 1, false],
    ['train.warmupSteps', t.warmupSteps, 0, 10_000_000, true],
    ['train.weightDecay', t.weightDecay, 0, 1, false],
    ['train.beta1', t.beta1, 0, 0.9999, false],
    ['train.beta2', t.beta2, 0, 0.99999, false],
    ['train.adamEps', t.adamEps, 1e-12, 1e-2, false],
    ['train.maxGradNorm', t.maxGradNorm, 0, 1e6, false],
    ['train.evalEvery', t.evalEvery, 0, 10_000_000, true],
    ['train.evalBatches', t.evalBatches, 1, 1000, true],
    ['train.logEvery', t.logEvery, 1, 100_000, true],
    ['data.vocabSize', c.data.vocabSize, 256, 32768, true],
  ];
  const problems: ConfigProblem[] = [];
  for (const [field, v, min, max, integer] of ranges) {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max || (integer && !Number.isInteger(v))) {
      problems.push({ field, message: `${field} must be ${integer ? 'a whole number' : 'a number'} from ${min} to ${max} (got ${String(v)}).` });
    }
  }
  if (Number.isInteger(m.C) && Number.isInteger(m.NH) && m.NH > 0 && m.C % m.NH !== 0) {
    problems.push({ field: 'model.NH', message: `model.C (${m.C}) must be divisible by model.NH (${m.NH}): each head gets C/NH channels.` });
  }
  for (const p of parseMaskingConfig(c.masking.strategy, maskingParams(c)).problems) {
    problems.push({ field: p.param === 'strategy' ? 'masking.strategy' : `masking.${p.param}`, message: p.message });
  }
  problems.push(...validateObjective(c));
  if (c.probe !== undefined) problems.push(...validateProbe(c.probe));
  const enums: [string, string, readonly string[]][] = [
    ['train.decay', t.decay, LR_DECAYS],
    ['data.source', c.data.source, ['brown', 'text', 'synthetic-successor', 'synthetic-copy']],
    ['data.tokenizer', c.data.tokenizer, ['wordpiece', 'char']],
  ];
  for (const [field, v, allowed] of enums) {
    if (!allowed.includes(v)) problems.push({ field, message: `${field} must be one of ${allowed.join(', ')} (got "${v}").` });
  }
  return problems;
}

function validateProbe(p: ProbeConfig): ConfigProblem[] {
  if (!p || typeof p !== 'object') return [{ field: 'probe', message: 'probe must be an object: { tasks, every, budget }.' }];
  const problems: ConfigProblem[] = [];
  if (!Array.isArray(p.tasks) || p.tasks.some((t) => !PROBE_TASK_IDS.includes(t)) || new Set(p.tasks).size !== p.tasks.length) {
    problems.push({ field: 'probe.tasks', message: `probe.tasks must list distinct tasks from ${PROBE_TASK_IDS.join(', ')} (got ${JSON.stringify(p.tasks)}).` });
  }
  if (!Number.isInteger(p.every) || p.every < 0 || p.every > 10_000_000) problems.push({ field: 'probe.every', message: `probe.every must be a whole number from 0 (at every eval) to 10000000 (got ${String(p.every)}).` });
  if (typeof p.budget !== 'number' || !(p.budget >= 0 && p.budget <= 1)) problems.push({ field: 'probe.budget', message: `probe.budget must be a share of the run's time from 0 to 1 (got ${String(p.budget)}).` });
  return problems;
}

export { generatorDims } from '../objectives/electra/dims.ts';

/** Throws one Error listing every problem; for callers that cannot go on with a bad config. */
export function assertValidConfig(c: RunConfig): void {
  const problems = validateConfig(c);
  if (problems.length) throw new Error(`Invalid configuration:\n${problems.map((p) => `  - ${p.message}`).join('\n')}`);
}
