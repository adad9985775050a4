// `npm run train -- [flags]`: trains with the real engine in headless Chromium (WebGPU) on the
// built app's headless page, prints a progress line every few steps, and writes the run as JSON.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CheckpointError, decodeCheckpoint } from '../src/train/checkpoint.ts';
import { defaultProbe } from '../src/store/setup.ts';
import { describeRegistry } from '../src/masking/registry.ts';
import { objectiveOf, objectiveParams } from '../src/objectives/registry.ts';
import { beatsBaseline, statusLine } from '../src/objectives/metrics.ts';
import { parseTrainArgs, TRAIN_USAGE } from './args.ts';
import { gpuModeFromEnv } from './chromium.ts';
import { ensureBuilt, openHeadless } from './headless.ts';
import { runCli } from './run.ts';
import type { AdapterReport, EngineEvent, EvalPoint, ExportCheck, MetricPoint, ProbePoint, RunConfig, RunInfo, TuneOutcome } from '../src/train/protocol.ts';
import { describeProbe, probeRecords } from '../src/train/probe-report.ts';
import type { HeadlessSession } from './headless.ts';

const log = (line: string) => console.log(`[masklab] ${line}`);
const fmt = (x: number, d = 3) => (Number.isFinite(x) ? x.toFixed(d) : String(x));
const kilo = (x: number) => (x >= 1000 ? `${(x / 1000).toFixed(1)}k` : x.toFixed(0));

/** Collects engine events and lets the CLI wait for the one it needs next. */
class EventLog {
  metrics: MetricPoint[] = [];
  evals: EvalPoint[] = [];
  probes: ProbePoint[] = [];
  private waiters: { test: (e: EngineEvent) => boolean; resolve: (e: EngineEvent) => void }[] = [];
  constructor(private readonly onEvent: (e: EngineEvent) => void) {}

  push = (e: EngineEvent): void => {
    if (e.type === 'metrics') this.metrics.push(e.point);
    if (e.type === 'eval') this.evals.push(e.point);
    if (e.type === 'probe-eval') this.probes.push(e.point);
    if (e.type === 'restored') {
      this.metrics.push(...e.history.metrics);
      this.evals.push(...e.history.evals);
      this.probes.push(...(e.history.probes ?? []));
    }
    this.onEvent(e);
    this.waiters = this.waiters.filter((w) => !(w.test(e) && (w.resolve(e), true)));
  };

  next(test: (e: EngineEvent) => boolean): Promise<EngineEvent> {
    return new Promise((resolve) => this.waiters.push({ test, resolve }));
  }
}

// A divergence pauses the run in the app (with a roll-back offer); the CLI stops there.
const isFailure = (e: EngineEvent) => e.type === 'gpu-error' || e.type === 'run-error' || e.type === 'restore-error' || e.type === 'export-error' || e.type === 'diverged';
const describeFailure = (e: EngineEvent) =>
  e.type === 'gpu-error'
    ? `${e.error.message}\n${e.error.hint}`
    : e.type === 'diverged'
      ? `Training diverged at step ${e.divergence.step} (rule ${e.divergence.rule}): ${e.divergence.message}.\n${e.hint}`
      : e.type === 'run-error' || e.type === 'restore-error' || e.type === 'export-error'
        ? `${e.message}\n${e.hint}`
        : '';

/** --resume: the file's setup (a longer --steps may extend it) and its bytes; null after printing why not. */
function readResume(path: string, argv: string[], steps: number): { config: RunConfig; bytes: ArrayBuffer; step: number } | null {
  let file: Buffer;
  try {
    file = readFileSync(path);
  } catch (e) {
    console.error(`--resume ${path}: ${e instanceof Error ? e.message : String(e)}`);
    return null;
  }
  const bytes = file.buffer.slice(file.byteOffset, file.byteOffset + file.byteLength) as ArrayBuffer;
  try {
    const c = decodeCheckpoint(new Uint8Array(bytes));
    const config = argv.includes('--steps') ? { ...c.config, train: { ...c.config.train, steps: steps } } : c.config;
    return { config, bytes, step: c.step };
  } catch (e) {
    console.error(`--resume ${path}: ${e instanceof Error ? e.message : String(e)}${e instanceof CheckpointError ? `\n${e.hint}` : ''}`);
    return null;
  }
}

/** --save-dir: the Hugging Face folder, model.onnx, probe.json and a checkpoint, then the onnxruntime-web check. */
async function saveModel(session: HeadlessSession, events: EventLog, dir: string, cfg: RunConfig): Promise<ExportCheck | null | 'checkpoint only'> {
  const write = (path: string, bytes: ArrayBuffer) => {
    const full = join(dir, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, new Uint8Array(bytes));
    log(`wrote ${full} (${bytes.byteLength.toLocaleString('en-US')} bytes)`);
  };
  const saveCheckpoint = async () => {
    const saved = events.next((e) => e.type === 'checkpoint' || isFailure(e));
    await session.send({ type: 'checkpoint', reason: 'download' });
    const ck = await saved;
    if (ck.type === 'checkpoint') write('checkpoint.mlckpt', ck.bytes);
    return ck.type === 'checkpoint';
  };
  const objective = objectiveOf(cfg.objective);
  if (!objective.hfLayout) {
    // No Hugging Face class (position prediction): the checkpoint is what there is to keep.
    if (!(await saveCheckpoint())) return null;
    log(`${objective.tag} has no Hugging Face or ONNX export yet: saved the checkpoint only`);
    return 'checkpoint only';
  }
  const probe = defaultProbe(cfg.data.source);
  const exported = events.next((e) => e.type === 'exported' || isFailure(e));
  await session.send({ type: 'export', formats: ['hf', 'onnx', 'probe'], probe });
  const ex = await exported;
  if (ex.type !== 'exported') return null;
  for (const f of ex.files) write(f.path, f.bytes);
  if (!(await saveCheckpoint())) return null;
  const verified = events.next((e) => e.type === 'export-verified' || isFailure(e));
  await session.send({ type: 'verify-export', probe });
  const v = await verified;
  if (v.type !== 'export-verified') return null;
  const c = v.check;
  log(`onnxruntime-web (${c.ep}) vs our engine on "${probe}": ${c.output}, max |Δ| ${c.maxAbsDiff.toExponential(2)} over ${c.values} values: ${c.maxAbsDiff <= c.tolerance ? 'export verified' : `MORE than ${c.tolerance}`}`);
  return c;
}

async function main(): Promise<number> {
  const args = parseTrainArgs(process.argv.slice(2));
  if (args.help) {
    console.log(TRAIN_USAGE);
    return 0;
  }
  if (args.listMasks) {
    console.log(describeRegistry());
    return 0;
  }
  let cfg = args.config;
  const resume = args.resume ? readResume(args.resume, process.argv, cfg.train.steps) : null;
  if (args.resume && !resume) return 1;
  if (resume) cfg = resume.config;
  const gpuMode = args.gpu ?? gpuModeFromEnv();
  const t0 = performance.now();
  if (args.build) await ensureBuilt(log);

  const printEvery = Math.max(1, Math.round(cfg.train.steps / 40));
  // Points arrive every --log-every steps, which need not divide printEvery: print the first point
  // at or past each printEvery boundary (a `step % printEvery` test would skip most of them).
  let printed = 0;
  // Set by the 'configured' event itself: the step-0 probe's event arrives before `send` returns.
  let info: RunInfo | null = null;
  let tuning: { outcomes: TuneOutcome[]; ms: number; rebuilt: boolean } | null = null;
  const events = new EventLog((e) => {
    if (e.type === 'configured' || e.type === 'restored') info = e.info;
    if (e.type === 'log') log(e.line);
    else if (e.type === 'tune-progress' && e.key) log(`tuning kernels: ${e.done}/${e.total} (${e.key})`);
    else if (e.type === 'tuned') {
      tuning = { outcomes: e.outcomes, ms: e.ms, rebuilt: e.rebuilt };
      for (const line of describeTuning(e.outcomes, e.ms)) log(line);
    }
    else if (e.type === 'metrics' && (e.point.step >= printed + printEvery || e.point.step === cfg.train.steps)) {
      const p = e.point;
      printed = p.step - (p.step % printEvery);
      const own = statusLine(cfg.objective, p.values, ' ');
      const el = own ? `  | ${own}` : '';
      log(`step ${p.step}/${cfg.train.steps}  loss ${fmt(p.loss)}  acc ${fmt(p.accuracy)}  lr ${p.lr.toExponential(2)}  |g| ${fmt(p.gradNorm, 2)}  masked ${(100 * p.mask.achievedRate).toFixed(1)}%  ${kilo(p.tokensPerSec)} tok/s${el}`);
    } else if (e.type === 'eval') {
      const p = e.point;
      log(`eval @${p.step}: fixed mask loss ${fmt(p.loss)} acc ${fmt(p.accuracy)} (${p.count} tokens) | own mask loss ${fmt(p.own.loss)} acc ${fmt(p.own.accuracy)} (${p.own.count})`);
      const own = statusLine(cfg.objective, p.values, '  ', 'all');
      if (own) log(`eval @${p.step}: ${own}`);
    }
    else if (e.type === 'probe-eval' && info) for (const line of describeProbe(e.point, info.probe)) log(line);
    else if (e.type === 'checkpoint' && e.reason === 'autosave' && args.saveDir) {
      mkdirSync(args.saveDir, { recursive: true });
      writeFileSync(join(args.saveDir, 'checkpoint.mlckpt'), new Uint8Array(e.bytes));
    } else if (isFailure(e)) console.error(describeFailure(e));
  });

  log(`starting headless Chromium (WebGPU: ${gpuMode}) ...`);
  const session = await openHeadless({ gpuMode, onEvent: events.push });
  try {
    const ready = events.next((e) => e.type === 'gpu-ready' || e.type === 'gpu-error');
    await session.send({ type: 'init' });
    const r = await ready;
    if (r.type !== 'gpu-ready') return 1;
    const adapter: AdapterReport = r.adapter;
    log(`adapter: ${adapter.vendor} / ${adapter.architecture}${adapter.description ? ` (${adapter.description})` : ''}, fallback=${adapter.isFallbackAdapter}`);
    const result: Record<string, unknown> = {
      tool: 'masklab train',
      version: 2,
      createdAt: new Date().toISOString(),
      gpuMode,
      chromium: { path: session.chromiumPath, version: session.browser.version(), args: session.args },
      adapter,
    };
    if (!args.adapterOnly) {
      await session.send({ type: 'autotune', mode: args.autotune, ...(args.autotuneBudgetMs !== undefined ? { budgetMs: args.autotuneBudgetMs } : {}) });
      const configured = events.next((e) => e.type === 'configured' || e.type === 'restored' || isFailure(e));
      await session.send(resume ? { type: 'restore', bytes: resume.bytes, config: cfg } : { type: 'configure', config: cfg });
      const c = await configured;
      if (c.type !== 'configured' && c.type !== 'restored') return 1;
      const info: RunInfo = c.info;
      if (c.type === 'restored') log(`resumed ${args.resume} at step ${c.step} of ${cfg.train.steps}`);
      const m = cfg.model;
      log(`${cfg.preset}: L=${m.L} C=${m.C} NH=${m.NH} FFN=${m.FFN} T=${m.T} V=${info.vocabSize}, ${(info.parameters / 1e6).toFixed(2)}M parameters, batch ${cfg.train.batch}`);
      log(`data ${info.data.source}: ${info.data.trainTokens} train tokens, ${info.data.evalRows} eval rows; unigram baseline ${fmt(info.unigramBaseline)}`);
      const objective = objectiveOf(cfg.objective);
      const options = Object.entries(objectiveParams(cfg, objective)).map(([k, v]) => `${k}=${v}`);
      const parts = Object.entries(info.flops ?? {}).map(([k, v]) => `${k} ${(v / 1e9).toFixed(3)}`);
      log(`objective ${objective.tag}${options.length ? `: ${options.join(' ')}` : ''}; ${parts.join(', ')} GFLOP/step`);
      log(`masking ${info.masking.strategy}: ${Object.entries(info.masking.params).map(([k, v]) => `${k}=${v}`).join(' ')}`);
      for (const b of info.baselines ?? []) log(`baseline (held-out ${b.metric}): ${b.label} = ${fmt(b.value)}`);
      const pi = info.probe;
      log('unavailable' in pi ? `probes: none (${pi.unavailable})` : `probes (${pi.model}): ${pi.tasks.map((t) => `${t.id} ${t.train} train / ${t.test} held-out examples, majority baseline ${fmt(t.majority.accuracy)}`).join('; ')}`);
      const trainStart = performance.now();
      const finished = events.next((e) => (e.type === 'status' && (e.state === 'done' || e.state === 'paused')) || isFailure(e));
      // With --save-dir the run also checkpoints as it goes, so a long run can be resumed (--resume) after an interruption.
      if (args.saveDir) await session.send({ type: 'autosave', every: Math.max(100, Math.round(cfg.train.steps / 20)) });
      await session.send({ type: 'start' });
      const f = await finished;
      if (objectiveOf(cfg.objective).tokenSnapshot && f.type === 'status') {
        const snap = events.next((e) => e.type === 'snapshot' || isFailure(e));
        await session.send({ type: 'snapshot', rows: 4 });
        const sn = await snap;
        if (sn.type === 'snapshot') result.snapshot = sn.snapshot;
      }
      const trainSeconds = (performance.now() - trainStart) / 1000;
      const last = events.evals.at(-1);
      const tps = events.metrics.map((p) => p.tokensPerSec).filter((x) => x > 0).sort((a, b) => a - b);
      Object.assign(result, {
        config: cfg,
        run: info,
        trainLoss: events.metrics.map((p) => ({ step: p.step, loss: p.loss, accuracy: p.accuracy, lr: p.lr, gradNorm: p.gradNorm })),
        // The objective's own metrics under its id (ELECTRA: `electra`), per eval and per logged step.
        evals: events.evals.map((p) => ({ step: p.step, loss: p.loss, accuracy: p.accuracy, count: p.count, ...(p.values ? { [cfg.objective]: p.values } : {}) })),
        ...(objectiveOf(cfg.objective).metrics.length ? { [cfg.objective]: events.metrics.map((p) => ({ step: p.step, ...p.values })) } : {}),
        evalOwnMask: events.evals.map((p) => ({ step: p.step, ...p.own })),
        probes: probeRecords(events.probes, info.probe),
        maskStats: averageMaskStats(events.metrics),
        unigramBaseline: info.unigramBaseline,
        tokensPerSec: tps.length ? tps[Math.floor(tps.length / 2)] : 0,
        stepsDone: events.metrics.at(-1)?.step ?? 0,
        trainSeconds,
        ...(tuning ? { tuning } : {}),
        ...(f.type === 'diverged' ? { diverged: { ...f.divergence, rollbackStep: f.rollbackStep } } : {}),
      });
      if (args.saveDir && f.type === 'status') {
        const check = await saveModel(session, events, args.saveDir, cfg);
        if (!check) return 1;
        if (check !== 'checkpoint only') result.exportCheck = check;
      }
      if (last) for (const line of finalVerdicts(last, info, cfg.objective)) log(line);
      if (f.type !== 'status') {
        writeOut(args.out, result, t0);
        return 1;
      }
    }
    writeOut(args.out, result, t0);
    return 0;
  } finally {
    await session.close();
  }
}

/** The per-step mask statistics averaged over the recorded steps. */
function averageMaskStats(points: MetricPoint[]): Record<string, number> | null {
  if (!points.length) return null;
  const keys = Object.keys(points[0]!.mask) as (keyof MetricPoint['mask'])[];
  return Object.fromEntries(keys.map((k) => [k, points.reduce((a, p) => a + p.mask[k], 0) / points.length]));
}

/**
 * The last eval against what the run is judged by: the objective's own baselines where it has
 * them (position: the per-token-id guess), else the unigram baseline of the masked-token loss.
 */
function finalVerdicts(last: EvalPoint, info: RunInfo, objective: string): string[] {
  if (!info.baselines?.length) {
    return [`final eval loss ${fmt(last.loss)} (unigram baseline ${fmt(info.unigramBaseline)}): ${last.loss < info.unigramBaseline ? 'below' : 'not below'} the baseline`];
  }
  return info.baselines.map((b) => {
    const value = (b.metric === 'accuracy' ? last.accuracy : last.values?.[b.metric]) ?? NaN;
    return `final held-out ${b.metric} ${fmt(value)} vs ${fmt(b.value)} (${b.label}): ${beatsBaseline(objective, b.metric, value, b.value) ? 'beats' : 'does not beat'} the baseline`;
  });
}

function writeOut(out: string | null, result: Record<string, unknown>, t0: number): void {
  result.wallSeconds = (performance.now() - t0) / 1000;
  if (!out) return;
  writeFileSync(out, JSON.stringify(result, null, 2) + '\n');
  log(`wrote ${out}`);
}

runCli(main);

/** The tuning's summary: time, then per kernel its choice, the default and the measured gain. */
function describeTuning(outcomes: TuneOutcome[], ms: number): string[] {
  const tuned = outcomes.filter((o) => o.source === 'measured' || o.source === 'cache');
  return [
    `kernel tuning: ${tuned.length} of ${outcomes.length} kernels tuned in ${(ms / 1000).toFixed(1)} s`,
    ...outcomes.map((o) => `  ${o.key}: ${o.choice}${o.choice === o.defaultId ? ' (the default)' : ` instead of ${o.defaultId}`}, ${o.source === 'measured' || o.source === 'cache' ? `${o.gain.toFixed(2)}× (${o.source})` : o.source}`),
  ];
}
