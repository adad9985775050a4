// Entry of headless.html: the engine on a plain page, for the CLI (npm run train / bench) and
// anything else that drives real Chromium. The driver exposes `masklabEmit` (page.exposeFunction)
// to receive engine events and calls `masklab.send(command)`: the same protocol as the worker,
// except that the driver's bridge carries JSON, so file bytes (checkpoints, exports) travel as
// base64 (WireCommand, WireEvent in protocol.ts).
import { createEngine } from './train/engine.ts';
import type { EngineEvent, WireCommand, WireEvent } from './train/protocol.ts';
import type { PeerBenchOptions, PeerBenchResult } from './bench/types.ts';

declare global {
  interface Window {
    masklab: {
      send(cmd: WireCommand): Promise<void>;
      /** npm run bench -- --peers: loads tfjs and onnxruntime-web only when asked. */
      peers(opts: PeerBenchOptions): Promise<PeerBenchResult>;
      ready: true;
    };
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

const emit = (e: EngineEvent) => (window.masklabEmit ? window.masklabEmit(toWire(e)) : console.log(JSON.stringify(toWire(e))));

const engine = createEngine(emit);

window.masklab = {
  send: (cmd) => engine.handle(cmd.type === 'restore' ? { ...cmd, bytes: fromBase64(cmd.bytes) } : cmd),
  peers: async (opts) => (await import('./bench/peers.ts')).runPeerBench(opts, (line) => emit({ type: 'log', line })),
  ready: true,
};
