// The dedicated Web Worker that owns the GPUDevice, so training never blocks the page's drawing.
import { createEngine, INTERNAL_HINT } from './engine.ts';
import type { EngineCommand, EngineEvent } from './protocol.ts';

// The app compiles with the DOM lib; this is the slice of DedicatedWorkerGlobalScope we use.
interface WorkerScope {
  postMessage(message: EngineEvent, transfer: Transferable[]): void;
  onmessage: ((e: MessageEvent<EngineCommand>) => void) | null;
  addEventListener(type: 'error', listener: (e: ErrorEvent) => void): void;
  addEventListener(type: 'unhandledrejection', listener: (e: PromiseRejectionEvent) => void): void;
}
const scope = self as unknown as WorkerScope;

const engine = createEngine((event, transfer) => scope.postMessage(event, transfer ?? []));
scope.onmessage = (e) => {
  void engine.handle(e.data);
};

// An exception nothing caught (a bug outside the command queue) becomes the same banner as a
// failed command; preventDefault keeps it from also reaching the page's worker.onerror, which is
// left for a worker that cannot start at all.
const report = (what: unknown) => scope.postMessage({ type: 'run-error', message: `The training engine hit an unexpected error: ${what instanceof Error ? what.message : String(what)}.`, hint: INTERNAL_HINT }, []);
scope.addEventListener('error', (e) => {
  e.preventDefault();
  report(e.error ?? e.message);
});
scope.addEventListener('unhandledrejection', (e) => {
  e.preventDefault();
  // A GPU call still pending when the device goes (a GPU process crash) rejects with a
  // DOMException, sometimes just before device.lost resolves: that is the loss the engine
  // reports and recovers from, not a bug. Such a rejection waits a moment and is dropped if the
  // device was lost around it.
  if (e.reason instanceof DOMException) setTimeout(() => engine.lostRecently(10_000) || report(e.reason), 2_000);
  else report(e.reason);
});
