// Main-thread side of the engine: spawns the worker, forwards commands, and turns engine events
// into store actions. The UI never sees the worker or any GPU object, only the store and these
// commands.
import { GpuError } from '../gpu/errors.ts';
import type { RunConfig } from '../model/config.ts';
import { setGpuError, setGpuReady, setGpuStats, setTuned, setTuneMode, setTuneProgress } from '../store/gpu.ts';
import { runConfigured, runConfiguring, runDiverged, runError, runEval, runMetrics, runNotice, runProbeEval, runRolledBack, runStatus } from '../store/run.ts';
import { corpusFailed, corpusLoading, corpusReady } from '../store/setup.ts';
import { clearViews, setBatchView, setProbe } from '../store/views.ts';
import * as autosave from './autosave.ts';
import { setExportState, useExportStore } from '../store/export.ts';
import { downloadBlob } from '../store/files.ts';
import { runLabel } from '../store/run-label.ts';
import { setDraft } from '../store/setup.ts';
import { zipSync } from 'fflate';
import type { AutotuneMode, EngineCommand, EngineEvent, ExportFormat, FaultKind, GpuStats, ViewRequest } from './protocol.ts';

export interface EngineClient {
  send(cmd: EngineCommand, transfer?: Transferable[]): void;
  terminate(): void;
}

let current: EngineClient | null = null;
/** engine.gpuStats's question in flight: callers share it, so a silent engine gathers no queue. */
let statsAsked: { answer: Promise<GpuStats | null>; resolve: (stats: GpuStats | null) => void } | null = null;

function handle(ev: EngineEvent): void {
  switch (ev.type) {
    case 'gpu-ready':
      return setGpuReady(ev.adapter);
    case 'gpu-error':
      return setGpuError(ev.error);
    case 'tune-progress':
      return setTuneProgress({ done: ev.done, total: ev.total, key: ev.key });
    case 'tuned':
      return setTuned({ outcomes: ev.outcomes, ms: ev.ms, rebuilt: ev.rebuilt });
    case 'configured':
      autosave.runStarted(); // a new run: its autosaves go to a new slot from here on
      return runConfigured(ev.info);
    case 'metrics':
      return runMetrics(ev.point);
    case 'eval':
      return runEval(ev.point);
    case 'probe-eval':
      return runProbeEval(ev.point);
    case 'status':
      return runStatus(ev.state, ev.step);
    case 'run-error':
      return runError(ev.message, ev.hint);
    case 'diverged':
      return runDiverged({ divergence: ev.divergence, rollbackStep: ev.rollbackStep, lr: ev.lr, hint: ev.hint });
    case 'rolled-back':
      return runRolledBack(ev.step);
    case 'recovered':
      runRolledBack(ev.step);
      return runNotice({
        message: `The GPU device was lost; masklab got a new one and rebuilt the run at step ${ev.step}${ev.from === 'saved state' ? ' from its last saved state' : ' from its seed'}.`,
        hint: ev.lostSteps > 0 ? `The ${ev.lostSteps} steps after it are retrained exactly (same batches and masks) when you press Train.` : 'Press Train to continue.',
      });
    case 'log':
      console.info(`[engine] ${ev.line}`);
      return;
    case 'probe':
      return setProbe(ev.probe);
    case 'batch-view':
      return setBatchView(ev.view);
    case 'corpus-progress':
      return corpusLoading(ev.name, ev.done, ev.total);
    case 'corpus-ready':
      return corpusReady(ev.corpus);
    case 'corpus-error':
      corpusFailed();
      return runError(ev.message, ev.hint);
    case 'checkpoint':
      return onCheckpoint(ev);
    case 'restored': {
      const c = ev.info.config;
      autosave.runRestored(ev.step, c); // a resumed autosave continues in its slot, a file in a new one
      runConfiguring(c, { label: runLabel(c), group: runLabel(c, { seed: false }), compared: false });
      clearViews();
      runConfigured(ev.info);
      for (const p of ev.history.metrics) runMetrics(p);
      for (const p of ev.history.evals) runEval(p);
      for (const p of ev.history.probes ?? []) runProbeEval(p);
      runStatus(ev.state, ev.step);
      setDraft(c); // Train continues this run
      refused = null;
      return setExportState({ busy: null, refusal: null, offer: [] }); // the others stay saved and are offered at the next load
    }
    case 'restore-error':
      if (!ev.otherSetup) refused = null;
      return setExportState({ busy: null, refusal: { message: ev.message, hint: ev.hint, otherSetup: ev.otherSetup } });
    case 'exported':
      return onExported(ev.files);
    case 'export-verified':
      return setExportState({ busy: null, check: ev.check, error: null });
    case 'export-error':
      return setExportState({ busy: null, error: { message: ev.message, hint: ev.hint } });
    case 'gpu-stats':
      setGpuStats(ev.stats);
      statsAsked?.resolve(ev.stats);
      statsAsked = null;
      return;
    case 'bench-result':
    case 'snapshot':
      return;
  }
}

/** A checkpoint file refused for another setup, kept so the user can resume it with its own. */
let refused: ArrayBuffer | null = null;

const checkpointName = (c: RunConfig, step: number) => `masklab-${c.preset}-step${step}.mlckpt`;

function onCheckpoint(ev: Extract<EngineEvent, { type: 'checkpoint' }>): void {
  if (ev.reason === 'download') {
    downloadBlob(new Blob([ev.bytes], { type: 'application/octet-stream' }), checkpointName(ev.config, ev.step));
    return setExportState({ busy: null });
  }
  autosave.save(ev); // into this run's own slot (train/autosave.ts)
}

/** One file downloads as itself; several (the Hugging Face folder, ONNX, probe.json) as one zip. */
function onExported(files: { path: string; bytes: ArrayBuffer }[]): void {
  setExportState({ busy: null, error: null });
  if (files.length === 1) return downloadBlob(new Blob([files[0]!.bytes]), files[0]!.path.split('/').at(-1)!);
  const zip = zipSync(Object.fromEntries(files.map((f) => [f.path, new Uint8Array(f.bytes)])));
  downloadBlob(new Blob([zip as Uint8Array<ArrayBuffer>], { type: 'application/zip' }), 'masklab-export.zip');
}

const TUNE_MODE_KEY = 'masklab.autotune';
const TUNE_MODES: readonly AutotuneMode[] = ['auto', 'on', 'off'];

/** The kernel-tuning mode chosen on an earlier visit (localStorage), else 'auto'. */
function savedTuneMode(): AutotuneMode {
  try {
    const v = localStorage.getItem(TUNE_MODE_KEY);
    return TUNE_MODES.find((m) => m === v) ?? 'auto';
  } catch {
    return 'auto';
  }
}

/** Steps between autosaves while training (and one whenever a run pauses or ends). */
export const AUTOSAVE_EVERY = 100;

export function startEngineClient(): EngineClient | null {
  // Checked here too so a browser without WebGPU gets its explanation at once, without a worker.
  if (!('gpu' in navigator) || !navigator.gpu) {
    setGpuError(new GpuError('no-webgpu', 'WebGPU is not available in this browser (navigator.gpu is missing).').toInfo());
    return null;
  }
  const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'masklab-engine' });
  worker.onmessage = (e: MessageEvent<EngineEvent>) => handle(e.data);
  worker.onerror = (e) => {
    setGpuError({
      kind: 'internal',
      message: `The training worker failed: ${e.message || 'unknown error'}.`,
      hint: 'Reload the page. If it happens again, open the browser console and report the error.',
    });
  };
  current = {
    send: (cmd, transfer) => worker.postMessage(cmd, transfer ?? []),
    terminate: () => worker.terminate(),
  };
  // For the reliability e2e tests and the curious: window.masklab.fault('command' | 'uncaught' | 'rejection');
  // for the soak test (cli/soak.ts): await window.masklab.gpuStats(), the engine's live GPU buffers.
  (globalThis as unknown as { masklab?: object }).masklab = { fault: (kind: FaultKind) => current?.send({ type: 'fault', kind }), gpuStats: () => engine.gpuStats() };
  current.send({ type: 'init' });
  current.send({ type: 'autosave', every: AUTOSAVE_EVERY });
  const mode = savedTuneMode();
  setTuneMode(mode);
  current.send({ type: 'autotune', mode });
  void autosave.findSaved(); // runs saved by earlier visits and other tabs, offered for resume
  return current;
}

/** Commands for the UI. They do nothing before the engine client has started. */
export const engine = {
  /** A new run; `meta` labels it for legends and marks a comparison's run (kept beside the others). */
  configure(config: RunConfig, meta: { label: string; group: string; compared: boolean } = { label: config.preset, group: config.preset, compared: false }): void {
    if (!current) return;
    runConfiguring(config, meta);
    clearViews();
    current.send({ type: 'configure', config });
  },
  /** The user's own text (a File, or pasted text as a Blob): the worker reads and parses it. */
  loadCorpus(name: string, data: Blob): void {
    if (!current) return;
    corpusLoading(name, 0, data.size);
    current.send({ type: 'corpus', name, data });
  },
  /** What the open views want (probe sentence, batch rows); the engine throttles the work. */
  views: (request: ViewRequest) => current?.send({ type: 'views', request }),
  /** Kernel tuning from the next run set up on: kept for later visits. */
  setAutotune(mode: AutotuneMode): void {
    try {
      localStorage.setItem(TUNE_MODE_KEY, mode);
    } catch {
      // storage refused: the choice holds for this visit only
    }
    setTuneMode(mode);
    current?.send({ type: 'autotune', mode });
  },
  /** Ends a tuning under way; the kernels not reached keep their defaults. */
  skipTuning: () => current?.send({ type: 'tune-skip' }),
  start: (delayMs = 0) => current?.send({ type: 'start', delayMs }),
  pause: () => current?.send({ type: 'pause' }),
  step: (count = 1) => current?.send({ type: 'step', count }),
  evaluate: () => current?.send({ type: 'eval' }),
  /** After a divergence: back to the last state that passed, the learning rate × `lrFactor` from there. */
  rollback: (lrFactor = 1) => current?.send({ type: 'rollback', lrFactor }),
  downloadCheckpoint(): void {
    if (!current) return;
    setExportState({ busy: 'checkpoint' });
    current.send({ type: 'checkpoint', reason: 'download' });
  },
  /** A checkpoint file: resumed under `config` (the setup shown), refused with the differences if it is another setup. */
  resumeFile(bytes: ArrayBuffer, config: RunConfig): void {
    if (!current) return;
    refused = bytes.slice(0);
    setExportState({ busy: 'restore', refusal: null });
    current.send({ type: 'restore', bytes, config }, [bytes]);
  },
  /** The file refused for another setup, resumed with the setup it was saved with. */
  resumeWithItsSetup(): void {
    if (!current || !refused) return;
    const bytes = refused;
    setExportState({ busy: 'restore', refusal: null });
    current.send({ type: 'restore', bytes }, [bytes]);
    refused = null;
  },
  /** An offered autosave (by slot key), with its own setup. */
  async resumeAutosave(key: string): Promise<void> {
    if (!current) return;
    setExportState({ busy: 'restore', refusal: null });
    const bytes = await autosave.takeForResume(key);
    if (!bytes) {
      const offer = useExportStore.getState().offer.filter((o) => o.key !== key);
      return setExportState({ busy: null, offer, refusal: { message: 'That autosave is gone (discarded in another tab, replaced by newer runs, or the browser cleared its storage).', hint: 'Resume another one or start a new run.', otherSetup: false } });
    }
    current.send({ type: 'restore', bytes }, [bytes]);
  },
  discardAutosave: (key: string): void => autosave.discard(key),
  /** After a full-storage failure: the other saved runs deleted, then this run saved again. */
  async discardOtherAutosaves(): Promise<void> {
    if ((await autosave.discardOthers()) && current) current.send({ type: 'checkpoint', reason: 'autosave' });
  },
  exportModel(formats: ExportFormat[], probe: string): void {
    if (!current) return;
    setExportState({ busy: 'export', error: null });
    current.send({ type: 'export', formats, probe });
  },
  /** The engine's GPU counters now (answered even mid-run; null before it has a device); also put in the store. */
  gpuStats(): Promise<GpuStats | null> {
    if (!current) return Promise.resolve(null);
    if (!statsAsked) {
      let resolve!: (stats: GpuStats | null) => void;
      const answer = new Promise<GpuStats | null>((r) => (resolve = r));
      statsAsked = { answer, resolve };
      current.send({ type: 'stats' });
    }
    return statsAsked.answer;
  },
  verifyExport(probe: string): void {
    if (!current) return;
    setExportState({ busy: 'verify', error: null, check: null });
    current.send({ type: 'verify-export', probe });
  },
};

/** Whether a refused file can still be resumed with its own setup (for the UI). */
export const hasRefusedFile = (): boolean => refused !== null && useExportStore.getState().refusal?.otherSetup === true;
