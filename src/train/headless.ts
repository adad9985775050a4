// Entry of headless.html: the engine on a plain page, for the CLI (npm run train / bench) and
// anything else that drives real Chromium. The driver exposes `masklabEmit` (page.exposeFunction)
// to receive engine events and calls `masklab.send(command)`: the same protocol as the worker,
// except that the driver's bridge carries JSON, so file bytes (checkpoints, exports) travel as
// base64 (WireCommand, WireEvent in protocol.ts).
import { createEngine } from './engine.ts';
import type { EngineEvent, WireCommand, WireEvent } from './protocol.ts';

declare global {
  interface Window {
    masklab: { send(cmd: WireCommand): Promise<void>; ready: true };
    masklabEmit?: (event: WireEvent) => void;
  }
}

function toBase64(buf: ArrayBuffer): string {
  const bytes = new Uint8Array(buf);
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

const fromBase64 = (s: string): ArrayBuffer => Uint8Array.from(atob(s), (c) => c.charCodeAt(0)).buffer;

function toWire(e: EngineEvent): WireEvent {
  if (e.type === 'exported') return { type: 'exported', files: e.files.map((f) => ({ path: f.path, bytes: toBase64(f.bytes) })) };
  if (e.type === 'checkpoint') return { ...e, bytes: toBase64(e.bytes) };
  return e;
}

const engine = createEngine((event) => {
  if (window.masklabEmit) window.masklabEmit(toWire(event));
  else console.log(JSON.stringify(toWire(event)));
});

window.masklab = { send: (cmd) => engine.handle(cmd.type === 'restore' ? { ...cmd, bytes: fromBase64(cmd.bytes) } : cmd), ready: true };
