// The engine's message loop, independent of where it runs: the Web Worker wraps it with
// postMessage, the headless page with a function the CLI exposes. It owns the GPU and at most
// one training session, and turns commands into runs: start, pause, single steps, eval, stop.
// A failure is reported as an event; the run and its history stay as they were.

import { fetchBrown, type BrownCorpus } from '../data/brown.ts';
import { CorpusError, decodeText, parseTextCorpus } from '../data/text-corpus.ts';
import { initGpu, type Gpu } from '../gpu/device.ts';
import { toGpuErrorInfo } from '../gpu/errors.ts';
import type { EngineCommand, PostEvent, ViewRequest } from './protocol.ts';
import { benchTraining } from './bench.ts';
import { TrainingSession } from './session.ts';

export interface Engine {
  handle(cmd: EngineCommand): Promise<void>;
}

export interface EngineOptions {
  gpu?: GPU;
  /** Where the Brown corpus comes from; the browser default fetches /data/brown.json. */
  loadBrown?: () => Promise<BrownCorpus>;
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
      gpu = await initGpu({ ...(opts.gpu ? { gpu: opts.gpu } : {}), onError: (error) => post({ type: 'gpu-error', error }) });
      post({ type: 'gpu-ready', adapter: gpu.report });
      return gpu;
    } catch (e) {
      post({ type: 'gpu-error', error: toGpuErrorInfo(e) });
      return null;
    }
  }

  async function run(until: (s: TrainingSession) => number, delayMs = 0): Promise<void> {
    const s = session;
    // After a failed configure its error is the one to read; do not cover it with this one.
    if (!s) return configureFailed ? undefined : runError(new Error('No run is configured.'), 'Choose a preset and press Train.');
    if (running) return;
    pauseRequested = false;
    post({ type: 'status', state: 'running', step: s.step });
    const end = Math.min(until(s), s.config.train.steps);
    running = delayMs > 0 ? slowMotion(s, end, delayMs) : s.train(end, () => pauseRequested);
    try {
      await running;
    } catch (e) {
      runError(e);
    } finally {
      running = null;
    }
    if (session === s) post({ type: 'status', state: s.step >= s.config.train.steps ? 'done' : 'paused', step: s.step });
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
  // 'pause' acts at once, and 'configure'/'stop' first ask a running loop to pause so they do
  // not wait behind it.
  let queue: Promise<void> = Promise.resolve();
  return {
    handle(cmd) {
      if (cmd.type === 'pause' || cmd.type === 'configure' || cmd.type === 'stop') pauseRequested = true;
      if (cmd.type === 'pause') return Promise.resolve();
      // Parsing is CPU work in this thread; it need not wait for a training run to end.
      if (cmd.type === 'corpus') return loadCorpus(cmd.name, cmd.data);
      if (cmd.type === 'views') {
        // Takes effect at once (a running loop reads it at its next step); only an idle engine
        // answers with a probe of its own.
        views = cmd.request;
        if (session) session.views.request = views;
        if (running) return Promise.resolve();
      }
      queue = queue.then(() => execute(cmd));
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
        session?.destroy();
        session = null;
        configureFailed = true;
        try {
          session = await TrainingSession.create(g, cmd.config, post, loadBrown, text);
          configureFailed = false;
          session.views.request = views;
          post({ type: 'configured', info: session.info });
          post({ type: 'status', state: 'idle', step: 0 });
          await session.views.probeNow(0); // the untrained model's attention, before any step
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
