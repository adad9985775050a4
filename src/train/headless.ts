// Entry of headless.html: the engine on a plain page, for the CLI (npm run train / bench) and
// anything else that drives real Chromium. The driver exposes `masklabEmit` (page.exposeFunction)
// to receive engine events and calls `masklab.send(command)`: the same protocol as the worker.
import { createEngine } from './engine.ts';
import type { EngineCommand, EngineEvent } from './protocol.ts';

declare global {
  interface Window {
    masklab: { send(cmd: EngineCommand): Promise<void>; ready: true };
    masklabEmit?: (event: EngineEvent) => void;
  }
}

const engine = createEngine((event) => {
  if (window.masklabEmit) window.masklabEmit(event);
  else console.log(JSON.stringify(event));
});

window.masklab = { send: (cmd) => engine.handle(cmd), ready: true };
