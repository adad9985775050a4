// The engine's message loop, independent of where it runs: the Web Worker wraps it with
// postMessage, the headless page with a function the CLI exposes. It owns the GPU and at most
// one training session, and turns commands into runs: start, pause, single steps, eval, stop.
// A failure is reported as an event; the run and its history stay as they were.

import { fetchBrown, type BrownCorpus } from '../data/brown.ts';
import { CorpusError, decodeText, parseTextCorpus } from '../data/text-corpus.ts';
import { initGpu, type Gpu } from '../gpu/device.ts';
import { toGpuErrorInfo } from '../gpu/errors.ts';
import { AUTOTUNE_BUDGET_MS, type AutotuneMode, type CheckpointReason, type EngineCommand, type FaultKind, type PostEvent, type RunConfig, type TuneOutcome, type ViewRequest } from './protocol.ts';
import type { TuneCache } from '../gpu/autotune.ts';
import { idbTuneCache } from '../gpu/tune-cache.ts';
import { tuneRunKernels, tunesOn } from './tune-run.ts';
import { benchTraining } from './bench.ts';
import { TrainingSession } from './session.ts';
import { CheckpointError, checkpointMismatch, decodeCheckpoint, encodeCheckpoint, type CheckpointData } from './checkpoint.ts';
import { exportFiles, verifyExport } from './export-run.ts';

export interface Engine {
  handle(cmd: EngineCommand): Promise<void>;
  /** Whether the device was lost within the last `ms`: GPU calls pending then reject, and that is not a bug. */
  lostRecently(ms: number): boolean;
}

export interface EngineOptions {
  gpu?: GPU;
  /** Where the Brown corpus comes from; the browser default fetches /data/brown.json. */
  loadBrown?: () => Promise<BrownCorpus>;
}

/** What to do after an error that is masklab's fault, not the user's. */
export const INTERNAL_HINT = "That is a bug in masklab, not something you did: the run and its history are kept; Reset starts the setup again. The browser console has the details to report.";

/** The faults a 'fault' command injects (protocol.ts): each must reach the user as one banner. */
function injectFault(kind: FaultKind): void {
  const e = new Error(`injected fault (${kind})`);
  if (kind === 'command') throw e;
  if (kind === 'uncaught') setTimeout(() => {
    throw e;
  });
  else void Promise.reject(e);
}

export function createEngine(post: PostEvent, opts: EngineOptions = {}): Engine {
  let gpu: Gpu | null = null;
  let session: TrainingSession | null = null;
  let running: Promise<void> | null = null;
  let pauseRequested = false;
  // What the open views want: kept across runs, handed to each new session.
  let views: ViewRequest = { probe: null, batchRows: 0 };
  // The user's own text (data source 'text'): replaced only by a text that parses.
  let text: BrownCorpus | undefined;
  let configureFailed = false;
  // Autosave period in steps (0: off); the page keeps the latest autosave in IndexedDB.
  let autosaveEvery = 0;
  // The current run's last state read off the GPU (autosave, download or the file it resumed):
  // what a lost device's run is rebuilt from. Null before the first: the run restarts at step 0,
  // which its seed makes the same start.
  let cpuState: CheckpointData | null = null;
  let lastLossAt = -Infinity;
  // Kernel tuning (tune-run.ts): the mode, each tuning's bound, the user's skip, what this
  // device has decided (cleared with a new device), and the cross-visit cache.
  let autotuneMode: AutotuneMode = 'auto';
  let tuneBudgetMs = AUTOTUNE_BUDGET_MS;
  let tuneSkip = false;
  let tunedOn: Gpu | null = null;
  const tuned = new Map<string, TuneOutcome>();
  let tuneCache: TuneCache | null = null;

  async function loadCorpus(name: string, data: Blob): Promise<void> {
    try {
      const t0 = performance.now();
      post({ type: 'corpus-progress', name, done: 0, total: data.size });
      const bytes = await data.arrayBuffer();
      const corpus = parseTextCorpus(decodeText(new Uint8Array(bytes), name), name, (done, total) => post({ type: 'corpus-progress', name, done, total }));
      text = corpus;
      post({ type: 'corpus-ready', corpus: { name, bytes: bytes.byteLength, words: corpus.wordIds.length, lexicon: corpus.lexicon.length, docs: corpus.docs.length, parseMs: performance.now() - t0 } });
    } catch (e) {
      const hint = e instanceof CorpusError ? e.hint : 'Try another file, or paste the text.';
      post({ type: 'corpus-error', name, message: e instanceof Error ? e.message : String(e), hint });
    }
  }
  let brown: Promise<BrownCorpus> | null = null;
  const loadBrown = () => (brown ??= (opts.loadBrown ?? (() => fetchBrown()))().catch((e: unknown) => {
    brown = null; // let a later configure try again
    throw e;
  }));

  const runError = (e: unknown, hint = 'Check the settings and start the run again.') => {
    const info = toGpuErrorInfo(e);
    post({ type: 'run-error', message: info.message, hint: info.kind === 'internal' ? hint : info.hint });
  };

  async function ensureGpu(): Promise<Gpu | null> {
    if (gpu) return gpu;
    try {
      gpu = await initGpu({
        ...(opts.gpu ? { gpu: opts.gpu } : {}),
        onError: (error) => {
          post({ type: 'gpu-error', error });
          if (error.kind === 'device-lost') onDeviceLost();
        },
      });
      post({ type: 'gpu-ready', adapter: gpu.report });
      return gpu;
    } catch (e) {
      post({ type: 'gpu-error', error: toGpuErrorInfo(e) });
      return null;
    }
  }

  /**
   * A run's session, built with tuned kernels where tuning is on: built once (which notes its
   * kernels), tuned, and built again if a kernel's choice changed. A tuning that fails keeps
   * the defaults and says so in the log; it never fails the run.
   */
  async function createSession(g: Gpu, config: RunConfig): Promise<TrainingSession> {
    g.kernels.takeRecent();
    const s = await TrainingSession.create(g, config, post, loadBrown, text);
    if (!tunesOn(autotuneMode, g)) return s;
    if (tunedOn !== g) {
      tuned.clear();
      tunedOn = g;
    }
    tuneSkip = false;
    let t;
    try {
      t = await tuneRunKernels(g, g.kernels.takeRecent(), tuned, { post, cache: (tuneCache ??= idbTuneCache()), budgetMs: tuneBudgetMs, shouldStop: () => tuneSkip });
    } catch (e) {
      post({ type: 'log', line: `kernel tuning failed, the default kernels are kept: ${e instanceof Error ? e.message : String(e)}` });
      return s;
    }
    post({ type: 'tuned', outcomes: t.outcomes, ms: t.ms, rebuilt: t.changed });
    if (!t.changed) return s;
    s.destroy();
    return TrainingSession.create(g, config, post, loadBrown, text);
  }

  async function run(until: (s: TrainingSession) => number, delayMs = 0): Promise<void> {
    const s = session;
    // After a failed configure its error is the one to read; do not cover it with this one.
    if (!s) return configureFailed ? undefined : runError(new Error('No run is configured.'), 'Choose a preset and press Train.');
    if (running) return;
    pauseRequested = false;
    post({ type: 'status', state: 'running', step: s.step });
    const end = Math.min(until(s), s.config.train.steps);
    const from = s.step;
    running = delayMs > 0 ? slowMotion(s, end, delayMs) : trainWithAutosave(s, end);
    try {
      await running;
      // Paused or done: what the user would lose on a reload is saved now.
      if (autosaveEvery > 0 && s.step > from && session === s) await postCheckpoint(s, 'autosave');
    } catch (e) {
      // A lost device has said so once (gpu-error) and is being replaced: no second banner.
      if (!s.gpu.lost) runError(e);
    } finally {
      running = null;
    }
    if (session === s) post({ type: 'status', state: s.step >= s.config.train.steps ? 'done' : 'paused', step: s.step });
  }

  /** Trains to `end` in pieces that end on autosave steps (each piece keeps its steps pipelined). */
  async function trainWithAutosave(s: TrainingSession, end: number): Promise<void> {
    while (s.step < end && !pauseRequested && !s.diverged) {
      const every = autosaveEvery;
      const stop = every > 0 ? Math.min(end, (Math.floor(s.step / every) + 1) * every) : end;
      await s.train(stop, () => pauseRequested);
      if (every > 0 && s.step === stop && stop < end && !pauseRequested) await postCheckpoint(s, 'autosave');
    }
  }

  async function postCheckpoint(s: TrainingSession, reason: CheckpointReason): Promise<void> {
    const state = await s.saveState();
    if (session === s) cpuState = state;
    const bytes = encodeCheckpoint(state);
    post({ type: 'checkpoint', reason, step: s.step, config: s.config, bytes: bytes.buffer as ArrayBuffer }, [bytes.buffer as ArrayBuffer]);
  }

  const restoreError = (e: unknown, otherSetup = false) => {
    const hint = e instanceof CheckpointError ? e.hint : toGpuErrorInfo(e).hint;
    post({ type: 'restore-error', message: e instanceof Error ? e.message : String(e), hint, otherSetup });
  };

  /** Continues a checkpoint's run; everything is checked and built before the current run is dropped. */
  async function restore(bytes: ArrayBuffer, config: RunConfig | undefined): Promise<void> {
    const g = await ensureGpu();
    if (!g) return;
    let next: TrainingSession | null = null;
    let ckpt: CheckpointData;
    try {
      ckpt = decodeCheckpoint(new Uint8Array(bytes));
      const target = config ?? ckpt.config;
      const diff = checkpointMismatch(ckpt.config, target);
      if (diff.length) {
        return restoreError(
          new CheckpointError(`This checkpoint is for another setup (${diff.length === 1 ? '1 difference' : `${diff.length} differences`}): ${diff.join('; ')}.`, 'Resume it with the setup it was saved with, or choose that setup first.'),
          true,
        );
      }
      if (running) {
        pauseRequested = true;
        await running;
      }
      next = await createSession(g, target);
      next.restoreState(ckpt);
    } catch (e) {
      next?.destroy();
      return restoreError(e);
    }
    session?.destroy();
    session = next;
    cpuState = ckpt;
    configureFailed = false;
    session.views.request = views;
    const done = session.step >= session.config.train.steps;
    post({ type: 'restored', info: session.info, step: session.step, history: session.history, state: done ? 'done' : 'paused' });
    await session.views.probeNow(session.step);
  }

  /**
   * The device is gone (driver reset, GPU process crash): stop the loop, get a new device and
   * rebuild the run on it from the state held on the CPU. Queued like a command, so it runs after
   * the loop has ended and before anything the user asks next.
   */
  function onDeviceLost(): void {
    lastLossAt = performance.now();
    pauseRequested = true;
    queue = queue.then(recover);
  }

  async function recover(): Promise<void> {
    if (!gpu?.lost) return; // replaced already
    const lost = session; // null when the device went while no run was configured
    session = null;
    try {
      lost?.destroy();
    } catch {
      // its buffers went with the device
    }
    gpu = null;
    const g = await ensureGpu();
    if (!g || !lost) return; // no device: the gpu-error it posted says why
    const state = cpuState; // always the current run's: configure and restore replace it
    try {
      const next = await createSession(g, lost.config);
      if (state) next.restoreState(state);
      next.views.request = views;
      session = next;
      post({ type: 'recovered', step: next.step, lostSteps: lost.step - next.step, from: state ? 'saved state' : 'start' });
      post({ type: 'status', state: 'paused', step: next.step });
    } catch (e) {
      runError(e, 'Reload the page; the autosave can resume the run.');
    }
  }

  /** One step at a time with a pause between, so a lecture can follow each batch; every view refreshes per step. */
  async function slowMotion(s: TrainingSession, end: number, delayMs: number): Promise<void> {
    while (s.step < end && !pauseRequested && !s.diverged) {
      await s.train(s.step + 1, () => pauseRequested);
      const wake = performance.now() + delayMs;
      while (!pauseRequested && performance.now() < wake) await new Promise((r) => setTimeout(r, Math.min(50, wake - performance.now())));
    }
  }

  // Commands run one after another (a 'start' right after 'configure' must find the model);
  // 'pause' acts at once, and 'configure'/'stop'/'restore' first ask a running loop to pause so they do
  // not wait behind it.
  let queue: Promise<void> = Promise.resolve();
  return {
    lostRecently: (ms) => performance.now() - lastLossAt < ms,
    handle(cmd) {
      if (cmd.type === 'pause' || cmd.type === 'configure' || cmd.type === 'stop' || cmd.type === 'restore') pauseRequested = true;
      if (cmd.type === 'pause') return Promise.resolve();
      if (cmd.type === 'tune-skip') {
        tuneSkip = true;
        return Promise.resolve();
      }
      // Counters are read between awaits: answered now, not behind a running loop.
      if (cmd.type === 'stats') {
        post({ type: 'gpu-stats', stats: gpu?.snapshotStats() ?? null });
        return Promise.resolve();
      }
      // Parsing is CPU work in this thread; it need not wait for a training run to end.
      if (cmd.type === 'corpus') return loadCorpus(cmd.name, cmd.data);
      if (cmd.type === 'views') {
        // Takes effect at once (a running loop reads it at its next step); only an idle engine
        // answers with a probe of its own.
        views = cmd.request;
        if (session) session.views.request = views;
        if (running) return Promise.resolve();
      }
      // A command that throws (a bug) is reported and the queue goes on: one failure must not
      // leave every later command, Reset included, waiting behind a rejected promise.
      queue = queue.then(() => execute(cmd)).catch((e: unknown) => runError(e, INTERNAL_HINT));
      return queue;
    },
  };

  async function execute(cmd: EngineCommand): Promise<void> {
    switch (cmd.type) {
      case 'init':
        if (gpu) post({ type: 'gpu-ready', adapter: gpu.report });
        else await ensureGpu();
        return;
      case 'configure': {
        const g = await ensureGpu();
        if (!g) return;
        if (running) {
          pauseRequested = true;
          await running;
        }
        // The previous run goes first, unlike restore: the client has already made the new run
        // the active one (a 'start' queued behind this must not reach the old run), and the
        // memory budget is per run, so the new one gets all of it. With autosave on, the old run's
        // weights live on in the autosave posted when it paused; a refused setup (memory-plan.ts)
        // allocates nothing.
        session?.destroy();
        session = null;
        cpuState = null;
        configureFailed = true;
        try {
          session = await createSession(g, cmd.config);
          configureFailed = false;
          session.views.request = views;
          post({ type: 'configured', info: session.info });
          post({ type: 'status', state: 'idle', step: 0 });
          await session.views.probeNow(0); // the untrained model's attention, before any step
          await session.runProbe(); // and its linear probes: the baseline of what pretraining adds
        } catch (e) {
          runError(e);
        }
        return;
      }
      case 'start':
        return run((s) => s.config.train.steps, cmd.delayMs ?? 0);
      case 'step':
        return run((s) => s.step + Math.max(1, cmd.count ?? 1));
      case 'pause':
        return;
      case 'eval':
        if (!session || running) return;
        try {
          await session.evaluate();
        } catch (e) {
          runError(e);
        }
        return;
      case 'snapshot':
        if (!session) return runError(new Error('No run is configured.'), 'Configure an ELECTRA run first.');
        if (running) return;
        try {
          post({ type: 'snapshot', snapshot: await session.snapshot(cmd.rows) });
        } catch (e) {
          runError(e, 'Token snapshots need an ELECTRA run: choose an electra preset or objective electra.');
        }
        return;
      case 'views':
        if (!session || running) return;
        try {
          await session.views.probeNow(session.step);
        } catch (e) {
          runError(e);
        }
        return;
      case 'bench': {
        const g = await ensureGpu();
        if (!g) return;
        try {
          post({ type: 'bench-result', result: await benchTraining(g, cmd.config, { warmup: cmd.warmup, steps: cmd.steps }, loadBrown) });
        } catch (e) {
          runError(e);
        }
        return;
      }
      case 'autosave':
        autosaveEvery = Math.max(0, Math.floor(cmd.every));
        return;
      case 'autotune':
        autotuneMode = cmd.mode;
        tuneBudgetMs = cmd.budgetMs ?? AUTOTUNE_BUDGET_MS;
        return;
      case 'tune-skip':
        return;
      case 'checkpoint':
        if (!session) return runError(new Error('There is no run to save.'), 'Train a few steps first.');
        try {
          await postCheckpoint(session, cmd.reason);
        } catch (e) {
          runError(e);
        }
        return;
      case 'restore':
        return restore(cmd.bytes, cmd.config);
      case 'rollback': {
        if (!session) return runError(new Error('There is no run to roll back.'), 'Train a run first.');
        if (running) return;
        try {
          const step = await session.rollback(cmd.lrFactor ?? 1);
          post({ type: 'rolled-back', step, lrScale: session.lrScale });
          post({ type: 'status', state: 'paused', step });
        } catch (e) {
          runError(e, 'Start the run again with a lower learning rate.');
        }
        return;
      }
      case 'export':
      case 'verify-export': {
        if (!session) return post({ type: 'export-error', message: 'There is no model to export.', hint: 'Train a few steps first (or resume a checkpoint).' });
        try {
          if (cmd.type === 'export') {
            const files = await exportFiles(session, cmd.formats, cmd.probe);
            post({ type: 'exported', files }, files.map((f) => f.bytes));
          } else post({ type: 'export-verified', check: await verifyExport(session, cmd.probe) });
        } catch (e) {
          post({ type: 'export-error', message: e instanceof Error ? e.message : String(e), hint: 'Report this with the setup you used; the run itself is unaffected.' });
        }
        return;
      }
      case 'fault':
        return injectFault(cmd.kind);
      case 'stop':
        pauseRequested = true;
        if (running) await running;
        session?.destroy();
        session = null;
        post({ type: 'status', state: 'idle', step: 0 });
        return;
    }
  }
}
