// Main-thread side of the engine: spawns the worker, forwards commands, and turns engine events
// into store actions. The UI never sees the worker or any GPU object, only the store and these
// commands.
import { GpuError } from '../gpu/errors.ts';
import type { RunConfig } from '../model/config.ts';
import { setGpuError, setGpuReady } from '../store/gpu.ts';
import { runConfigured, runConfiguring, runError, runEval, runMetrics, runStatus } from '../store/run.ts';
import { corpusFailed, corpusLoading, corpusReady } from '../store/setup.ts';
import { clearViews, setBatchView, setProbe } from '../store/views.ts';
import type { EngineCommand, EngineEvent, ViewRequest } from './protocol.ts';

export interface EngineClient {
  send(cmd: EngineCommand): void;
  terminate(): void;
}

let current: EngineClient | null = null;

function handle(ev: EngineEvent): void {
  switch (ev.type) {
    case 'gpu-ready':
      return setGpuReady(ev.adapter);
    case 'gpu-error':
      return setGpuError(ev.error);
    case 'configured':
      return runConfigured(ev.info);
    case 'metrics':
      return runMetrics(ev.point);
    case 'eval':
      return runEval(ev.point);
    case 'status':
      return runStatus(ev.state, ev.step);
    case 'run-error':
      return runError(ev.message, ev.hint);
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
    case 'bench-result':
    case 'snapshot':
      return;
  }
}

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
    send: (cmd) => worker.postMessage(cmd),
    terminate: () => worker.terminate(),
  };
  current.send({ type: 'init' });
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
  start: (delayMs = 0) => current?.send({ type: 'start', delayMs }),
  pause: () => current?.send({ type: 'pause' }),
  step: (count = 1) => current?.send({ type: 'step', count }),
  evaluate: () => current?.send({ type: 'eval' }),
};
