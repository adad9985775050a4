// Flag parsing for the CLIs, kept pure so it is unit-tested: bad flags give a message that says
// what was wrong and what is accepted, never a stack trace.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { parseMaskingConfig, STRATEGIES } from '../src/masking/registry.ts';
import { PROBE_TASK_IDS, type ProbeTaskId } from '../src/data/probe-tasks.ts';
import { LR_DECAYS, PRESETS, presetConfig, probeOf, validateConfig, type DataSource, type RunConfig } from '../src/model/config.ts';
import { OBJECTIVE_IDS } from '../src/objectives/registry.ts';
import type { AutotuneMode } from '../src/train/protocol.ts';
import { applyObjectiveFlags, OBJECTIVE_OPTIONS, OBJECTIVE_USAGE } from './objective-flags.ts';

export class UsageError extends Error {}

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

/** util.parseArgs with strict checking, errors rephrased for people. */
export function parseFlags<O extends OptionSpec>(argv: string[], options: O, usage: string) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values;
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    throw new UsageError(`${msg.replace(/\. To specify.*$/s, '.')}\n\n${usage}`);
  }
}

export function oneOf<T extends string>(flag: string, value: string | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`--${flag} ${value} is not one of: ${allowed.join(', ')}.`);
}

function num(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new UsageError(`--${flag} ${value} is not a number.`);
  return n;
}

export const TRAIN_USAGE = `Usage: npm run train -- [flags]

Trains a masked language model with the masklab engine in headless Chromium (WebGPU), on a
page of the built app, printing progress; --out writes the whole run as JSON.

  --preset NAME     ${PRESETS.map((p) => p.id).join(' | ')} (default bert-micro)
  --steps N         training steps (default: the preset's)
  --seed S          seed for init, batches and masks (default 1)
  --data SOURCE     brown | synthetic (= synthetic-successor) | synthetic-copy
  --tokenizer KIND  wordpiece | char (Brown only)
  --vocab N         WordPiece vocabulary size (256..32768)
  --lr X            peak learning rate
  --decay KIND      after warm-up: constant | linear | cosine (to 0 at the last step; default: the preset's)
  --batch B         sequences per step
  --seq T           sequence length
  --layers L        encoder layers (default: the preset's)
  --hidden C        hidden size (divisible by --heads)
  --heads NH        attention heads
  --ffn F           feed-forward width
  --init-std X      std of the normal weight init (default 0.02, Hugging Face's)
  --mask STRATEGY   ${STRATEGIES.map((x) => x.id).join(' | ')} (default random)
  --mask-rate R     share of tokens to predict, 0.05..0.8
  --mask-param K=V  a strategy parameter (repeatable), e.g. --mask-param p=0.3 --mask-param schedule=cosine
  --list-masks      print every strategy with its parameters, defaults and ranges, and exit
${OBJECTIVE_USAGE}
  --eval-every N    held-out eval every N steps (0: only at the end)
  --eval-batches N  held-out batches per eval (fixed 15% all-[MASK] mask)
  --probe TASKS     linear probes on frozen features: ${PROBE_TASK_IDS.join(',')} (default), a subset,
                    or none; Brown only. Run on the untrained model, at evals and at the end
  --probe-every N   probe every N steps instead of at every eval
  --probe-budget X  skip a scheduled probe that would lift the probes above this share of the
                    run's time (default 0.1; 1 = never skip)
  --log-every N     print and record metrics every N steps
  --out FILE        write config, adapter, per-step train loss, eval points, baseline, timing
  --save-dir DIR    checkpoint to DIR/checkpoint.mlckpt every max(100, steps/20) steps; after
                    training, write DIR/hf (Hugging Face: config.json, vocab.txt,
                    model.safetensors), DIR/model.onnx, DIR/probe.json (probe ids and our
                    logits), DIR/checkpoint.mlckpt, and check the ONNX model in onnxruntime-web
  --resume FILE     continue the run a checkpoint file holds (same setup; --steps may be longer)
  --gpu MODE        swiftshader (default; works without a GPU) or hardware; env MASKLAB_GPU
  --autotune MODE   tune the matmul kernels on this adapter before training: on | off | auto
                    (default auto: on with --gpu hardware, off on SwiftShader); the choices,
                    their measured gains and the tuning time go into --out (tuning)
  --autotune-budget S  bound of the tuning in seconds (default 20; kernels it does not reach
                    keep their defaults; compiling dominates on SwiftShader: ~300 s tunes all)
  --adapter         only bring WebGPU up and report the adapter (no training)
  --no-build        use dist/ as it is instead of rebuilding it when sources changed
  --help            this text`;

export const TRAIN_OPTIONS = {
  preset: { type: 'string' },
  steps: { type: 'string' },
  seed: { type: 'string' },
  data: { type: 'string' },
  tokenizer: { type: 'string' },
  vocab: { type: 'string' },
  lr: { type: 'string' },
  decay: { type: 'string' },
  batch: { type: 'string' },
  seq: { type: 'string' },
  layers: { type: 'string' },
  hidden: { type: 'string' },
  heads: { type: 'string' },
  ffn: { type: 'string' },
  'init-std': { type: 'string' },
  mask: { type: 'string' },
  'mask-rate': { type: 'string' },
  'mask-param': { type: 'string', multiple: true },
  'list-masks': { type: 'boolean' },
  objective: { type: 'string' },
  'eval-every': { type: 'string' },
  'eval-batches': { type: 'string' },
  probe: { type: 'string' },
  'probe-every': { type: 'string' },
  'probe-budget': { type: 'string' },
  'log-every': { type: 'string' },
  out: { type: 'string' },
  'save-dir': { type: 'string' },
  resume: { type: 'string' },
  gpu: { type: 'string' },
  adapter: { type: 'boolean' },
  autotune: { type: 'string' },
  'autotune-budget': { type: 'string' },
  'no-build': { type: 'boolean' },
  help: { type: 'boolean' },
} as const satisfies OptionSpec;

export interface TrainArgs {
  config: RunConfig;
  listMasks: boolean;
  out: string | null;
  saveDir: string | null;
  resume: string | null;
  gpu: 'swiftshader' | 'hardware' | null;
  /** --adapter: only report the adapter. */
  adapterOnly: boolean;
  autotune: AutotuneMode;
  /** --autotune-budget, in ms; undefined: the engine's default. */
  autotuneBudgetMs: number | undefined;
  build: boolean;
  help: boolean;
}

const DATA_ALIASES: Record<string, DataSource> = {
  brown: 'brown',
  synthetic: 'synthetic-successor',
  'synthetic-successor': 'synthetic-successor',
  'synthetic-copy': 'synthetic-copy',
};

export function parseTrainArgs(argv: string[]): TrainArgs {
  const all = { ...TRAIN_OPTIONS, ...OBJECTIVE_OPTIONS };
  const values = parseFlags(argv, all, TRAIN_USAGE) as Record<string, unknown>;
  const v = values as ReturnType<typeof parseFlags<typeof TRAIN_OPTIONS>>;
  if (v.out !== undefined && v.out.trim() === '') throw new UsageError('--out needs a file name, e.g. --out run.json');
  if (v['save-dir'] !== undefined && v['save-dir'].trim() === '') throw new UsageError('--save-dir needs a folder, e.g. --save-dir runs/micro');
  if (v.resume !== undefined && v.resume.trim() === '') throw new UsageError('--resume needs a checkpoint file, e.g. --resume runs/micro/checkpoint.mlckpt');
  const preset = oneOf('preset', v.preset, PRESETS.map((p) => p.id), 'bert-micro');
  const config = presetConfig(preset);
  const set = (value: number | undefined, apply: (n: number) => void) => value !== undefined && apply(value);
  set(num('steps', v.steps), (n) => (config.train.steps = n));
  set(num('seed', v.seed), (n) => (config.train.seed = n));
  set(num('lr', v.lr), (n) => (config.train.lr = n));
  if (v.decay !== undefined) config.train.decay = oneOf('decay', v.decay, LR_DECAYS, 'constant');
  set(num('batch', v.batch), (n) => (config.train.batch = n));
  set(num('seq', v.seq), (n) => (config.model.T = n));
  set(num('layers', v.layers), (n) => (config.model.L = n));
  set(num('hidden', v.hidden), (n) => (config.model.C = n));
  set(num('heads', v.heads), (n) => (config.model.NH = n));
  set(num('ffn', v.ffn), (n) => (config.model.FFN = n));
  set(num('init-std', v['init-std']), (n) => (config.model.initStd = n));
  set(num('vocab', v.vocab), (n) => (config.data.vocabSize = n));
  set(num('eval-every', v['eval-every']), (n) => (config.train.evalEvery = n));
  set(num('eval-batches', v['eval-batches']), (n) => (config.train.evalBatches = n));
  set(num('log-every', v['log-every']), (n) => (config.train.logEvery = n));
  if (v.data !== undefined) config.data.source = DATA_ALIASES[oneOf('data', v.data, Object.keys(DATA_ALIASES), 'brown')]!;
  if (v.mask !== undefined) config.masking = { strategy: v.mask, params: {} };
  for (const kv of v['mask-param'] ?? []) {
    const eq = kv.indexOf('=');
    if (eq <= 0) throw new UsageError(`--mask-param ${kv} must look like key=value, e.g. --mask-param p=0.3.`);
    config.masking.params[kv.slice(0, eq).trim()] = kv.slice(eq + 1).trim();
  }
  if (v['mask-rate'] !== undefined) config.masking.params.rate = v['mask-rate'];
  if (v.objective !== undefined) config.objective = oneOf('objective', v.objective, OBJECTIVE_IDS, 'mlm');
  applyObjectiveFlags(config, values, (message) => {
    throw new UsageError(message);
  });
  const probe = probeOf(config);
  if (v.probe !== undefined) probe.tasks = parseProbeTasks(v.probe);
  set(num('probe-every', v['probe-every']), (n) => (probe.every = n));
  set(num('probe-budget', v['probe-budget']), (n) => (probe.budget = n));
  config.probe = probe;
  if (v.tokenizer !== undefined) config.data.tokenizer = oneOf('tokenizer', v.tokenizer, ['wordpiece', 'char'] as const, 'wordpiece');
  // A run no longer than the preset's warmup would never reach its learning rate.
  if (config.train.warmupSteps >= config.train.steps) config.train.warmupSteps = Math.floor(config.train.steps / 10);
  // The JSON records the train loss of every step unless asked otherwise (reads never stall).
  if (v['log-every'] === undefined) config.train.logEvery = 1;
  const problems = v['list-masks'] ? [] : validateConfig(config);
  if (problems.length) throw new UsageError(problems.map((p) => p.message).join('\n'));
  const autotuneBudget = num('autotune-budget', v['autotune-budget']);
  if (autotuneBudget !== undefined && !(autotuneBudget > 0)) throw new UsageError(`--autotune-budget ${v['autotune-budget']} must be a positive number of seconds, e.g. --autotune-budget 60`);
  return {
    config,
    listMasks: Boolean(v['list-masks']),
    out: v.out ?? null,
    saveDir: v['save-dir'] ?? null,
    resume: v.resume ?? null,
    gpu: v.gpu === undefined ? null : oneOf('gpu', v.gpu, ['swiftshader', 'hardware'] as const, 'swiftshader'),
    adapterOnly: Boolean(v.adapter),
    autotune: v.autotune === undefined ? 'auto' : oneOf('autotune', v.autotune, ['auto', 'on', 'off'] as const, 'auto'),
    autotuneBudgetMs: autotuneBudget === undefined ? undefined : autotuneBudget * 1000,
    build: !v['no-build'],
    help: Boolean(v.help),
  };
}

/** --probe pos,genre | none → task ids, each checked against the registry. */
export function parseProbeTasks(value: string): ProbeTaskId[] {
  if (value.trim() === 'none') return [];
  const ids = value.split(',').map((t) => t.trim()).filter(Boolean);
  if (ids.length === 0) throw new UsageError(`--probe needs tasks (${PROBE_TASK_IDS.join(',')}) or none.`);
  for (const id of ids) oneOf('probe', id, PROBE_TASK_IDS, 'pos');
  return [...new Set(ids)] as ProbeTaskId[];
}

export const BENCH_USAGE = `Usage: npm run bench -- [flags]

Times training steps of each preset with the masklab engine in headless Chromium (WebGPU) and
prints ms/step, tokens/s, and what a step costs besides kernels (dispatches, bind groups
created, bytes written and read back), plus the planned GPU memory per pool.

  --presets LIST    comma-separated presets (default: bert-micro,bert-tiny)
  --steps N         timed steps per preset (default 20; 3 for bert-tiny on a CPU adapter)
  --warmup N        untimed steps first (default 3; 1 for bert-tiny on a CPU adapter)
  --mask STRATEGY   masking strategy to train with (default random); its share of GPU time is reported
  --mask-param K=V  a strategy parameter (repeatable)
  --out FILE        also write the results as JSON
  --gpu MODE        swiftshader (default) or hardware; env MASKLAB_GPU
  --no-build        use dist/ as it is
  --help            this text

Peers (--peers): the same page also runs TensorFlow.js (webgpu backend) and onnxruntime-web
(WebGPU and WASM execution providers), each with its own GPUDevice on the same adapter, on the
same work: a training step (after proving equal work: identical weights and batch give losses
within 1e-3), the exported model's forward, and kernels at the model's shapes. Runtimes are
interleaved in blocks, each block queued at once and waited for once; median and IQR.

  --peers           run the peer comparison instead of the step benchmark
  --reps N          timed blocks per runtime (default 20)
  --block-ms MS     target duration of one block; sets iterations per block (default 1000)
  --no-kernels      skip the kernel cases
  --md FILE         also write the Markdown tables (bench/RESULTS.md keeps the latest)
  --autotune-budget S  first tune our matmul kernels on this adapter (bound: S seconds per
                    preset), then time the tuned engine, the untuned one (default kernels) and
                    the peers in the same blocks: per training step and per matmul kernel`;

export const BENCH_OPTIONS = {
  presets: { type: 'string' },
  steps: { type: 'string' },
  warmup: { type: 'string' },
  mask: { type: 'string' },
  'mask-param': { type: 'string', multiple: true },
  out: { type: 'string' },
  gpu: { type: 'string' },
  'no-build': { type: 'boolean' },
  help: { type: 'boolean' },
  peers: { type: 'boolean' },
  reps: { type: 'string' },
  'block-ms': { type: 'string' },
  'no-kernels': { type: 'boolean' },
  md: { type: 'string' },
  'autotune-budget': { type: 'string' },
} as const satisfies OptionSpec;

export interface BenchArgs {
  /** --peers: the peer comparison, with its options. */
  peers: { reps: number; blockMs: number; kernels: boolean; md: string | null; autotuneMs: number | null } | null;
  presets: string[];
  masking: { strategy: string; params: Record<string, string> } | null;
  steps: number | null;
  warmup: number | null;
  out: string | null;
  gpu: 'swiftshader' | 'hardware' | null;
  build: boolean;
  help: boolean;
}

export function parseBenchArgs(argv: string[]): BenchArgs {
  const v = parseFlags(argv, BENCH_OPTIONS, BENCH_USAGE);
  const presets = (v.presets ?? 'bert-micro,bert-tiny').split(',').map((s) => s.trim()).filter(Boolean);
  for (const p of presets) oneOf('presets', p, PRESETS.map((x) => x.id), 'bert-micro');
  const count = (flag: string, s: string | undefined, min: number) => {
    const n = num(flag, s);
    if (n !== undefined && (!Number.isInteger(n) || n < min)) throw new UsageError(`--${flag} ${s} must be a whole number ≥ ${min}.`);
    return n ?? null;
  };
  let masking: BenchArgs['masking'] = null;
  if (v.mask !== undefined || v['mask-param']) {
    masking = { strategy: v.mask ?? 'random', params: {} };
    for (const kv of v['mask-param'] ?? []) {
      const eq = kv.indexOf('=');
      if (eq <= 0) throw new UsageError(`--mask-param ${kv} must look like key=value.`);
      masking.params[kv.slice(0, eq).trim()] = kv.slice(eq + 1).trim();
    }
    const problems = parseMaskingConfig(masking.strategy, masking.params).problems;
    if (problems.length) throw new UsageError(problems.map((p) => p.message).join('\n'));
  }
  const peers = v.peers
    ? { reps: count('reps', v.reps, 3) ?? 20, blockMs: count('block-ms', v['block-ms'], 1) ?? 1000, kernels: !v['no-kernels'], md: v.md ?? null, autotuneMs: (count('autotune-budget', v['autotune-budget'], 1) ?? 0) * 1000 || null }
    : null;
  if (!v.peers && (v.reps !== undefined || v['block-ms'] !== undefined || v['no-kernels'] || v.md !== undefined || v['autotune-budget'] !== undefined)) {
    throw new UsageError('--reps, --block-ms, --no-kernels, --md and --autotune-budget go with --peers.');
  }
  return {
    peers,
    presets,
    masking,
    steps: count('steps', v.steps, 1),
    warmup: count('warmup', v.warmup, 0),
    out: v.out ?? null,
    gpu: v.gpu === undefined ? null : oneOf('gpu', v.gpu, ['swiftshader', 'hardware'] as const, 'swiftshader'),
    build: !v['no-build'],
    help: Boolean(v.help),
  };
}
