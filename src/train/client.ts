// Main-thread side of the engine: spawns the worker, forwards commands, and turns engine events
// into store actions. The UI never sees the worker or any GPU object, only the store.
import { GpuError } from '../gpu/errors.ts';
import { setGpuError, setGpuReady } from '../store/gpu.ts';
import type { EngineCommand, EngineEvent } from './protocol.ts';

export interface EngineClient {
  send(cmd: EngineCommand): void;
  terminate(): void;
}

export function startEngineClient(): EngineClient | null {
  // Checked here too so a browser without WebGPU gets its explanation at once, without a worker.
  if (!('gpu' in navigator) || !navigator.gpu) {
    setGpuError(new GpuError('no-webgpu', 'WebGPU is not available in this browser (navigator.gpu is missing).').toInfo());
    return null;
  }
  const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'masklab-engine' });
  worker.onmessage = (e: MessageEvent<EngineEvent>) => {
    const ev = e.data;
    switch (ev.type) {
      case 'gpu-ready':
        setGpuReady(ev.adapter);
        break;
      case 'gpu-error':
        setGpuError(ev.error);
        break;
      case 'log':
        console.info(`[engine] ${ev.line}`);
        break;
    }
  };
  worker.onerror = (e) => {
    setGpuError({
      kind: 'internal',
      message: `The training worker failed: ${e.message || 'unknown error'}.`,
      hint: 'Reload the page. If it happens again, open the browser console and report the error.',
    });
  };
  const client: EngineClient = {
    send: (cmd) => worker.postMessage(cmd),
    terminate: () => worker.terminate(),
  };
  client.send({ type: 'init' });
  return client;
}
