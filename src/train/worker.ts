// The dedicated Web Worker that owns the GPUDevice, so training never blocks the page's drawing.
import { createEngine } from './engine.ts';
import type { EngineCommand, EngineEvent } from './protocol.ts';

// The app compiles with the DOM lib; this is the slice of DedicatedWorkerGlobalScope we use.
interface WorkerScope {
  postMessage(message: EngineEvent, transfer: Transferable[]): void;
  onmessage: ((e: MessageEvent<EngineCommand>) => void) | null;
}
const scope = self as unknown as WorkerScope;

const engine = createEngine((event, transfer) => scope.postMessage(event, transfer ?? []));
scope.onmessage = (e) => {
  void engine.handle(e.data);
};
