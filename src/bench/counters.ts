// Counts the WebGPU calls every runtime on this page makes (ours, tfjs, onnxruntime-web), by
// wrapping the prototype methods once: dispatches, bind groups created, writeBuffer calls and
// bytes, mapAsync calls and submits. Counts are global to the page; the harness takes deltas
// around one runtime's block (runtimes never run at the same time) and divides by iterations.
// A wrapper only counts and forwards: same `this`, arguments, return value and thrown errors.
// What it does not do: count work in other realms (workers), attribute calls to a device, or run
// without WebGPU (installCounters throws a clear error there, e.g. under Node).
import type { CallCounts } from './types.ts';

export interface Counters {
  /** Totals since the counters were first installed on this page. */
  snapshot(): CallCounts;
  /** Gives back this handle; the wrappers come off when the last handle is given back. */
  uninstall(): void;
}

const totals: CallCounts = { dispatches: 0, bindGroupsCreated: 0, writeBufferBytes: 0, writeBufferCalls: 0, mapAsyncCalls: 0, submits: 0 };

/** Restores every original method; set while installed. */
let restore: (() => void) | null = null;
let handles = 0;

/**
 * Bytes a writeBuffer(buffer, bufferOffset, data, dataOffset?, size?) call uploads. dataOffset and
 * size count elements for a typed array and bytes for an ArrayBuffer or DataView (WebGPU spec).
 * Never throws: a malformed call is the wrapped method's to reject.
 */
export function writeBufferBytes(data: unknown, dataOffset?: number, size?: number): number {
  let elem = 1;
  let total = 0;
  if (ArrayBuffer.isView(data)) {
    elem = data instanceof DataView ? 1 : (data as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT;
    total = data.byteLength;
  } else if (data instanceof ArrayBuffer || (typeof SharedArrayBuffer !== 'undefined' && data instanceof SharedArrayBuffer)) {
    total = data.byteLength;
  } else {
    return 0;
  }
  if (size !== undefined) return Math.max(0, size * elem);
  return Math.max(0, total - (dataOffset ?? 0) * elem);
}

type Proto = Record<string, unknown>;

/** Replaces proto[name] with a counting forwarder; returns the undo. */
function wrap(proto: Proto, name: string, count: (args: unknown[]) => void): () => void {
  const desc = Object.getOwnPropertyDescriptor(proto, name);
  const original = desc?.value;
  if (typeof original !== 'function') return () => {};
  const wrapped = function (this: unknown, ...args: unknown[]): unknown {
    count(args);
    return (original as (...a: unknown[]) => unknown).apply(this, args);
  };
  Object.defineProperty(wrapped, 'name', { value: name });
  Object.defineProperty(proto, name, { ...desc, value: wrapped });
  return () => Object.defineProperty(proto, name, desc!);
}

/** The WebGPU interface objects, or a message naming the missing ones. */
function webgpuClasses(): { pass: Proto; device: Proto; queue: Proto; buffer: Proto } | string {
  const g = globalThis as unknown as Record<string, { prototype: Proto } | undefined>;
  const names = ['GPUComputePassEncoder', 'GPUDevice', 'GPUQueue', 'GPUBuffer'] as const;
  const missing = names.filter((n) => typeof g[n]?.prototype !== 'object');
  if (missing.length) return missing.join(', ');
  return { pass: g.GPUComputePassEncoder!.prototype, device: g.GPUDevice!.prototype, queue: g.GPUQueue!.prototype, buffer: g.GPUBuffer!.prototype };
}

/**
 * Starts counting WebGPU calls on this page (idempotent: the methods are wrapped once however
 * many handles are taken). Throws if this context has no WebGPU interfaces (Node, old browsers).
 */
export function installCounters(): Counters {
  if (!restore) {
    const c = webgpuClasses();
    if (typeof c === 'string') {
      throw new Error(`installCounters: this context has no WebGPU interfaces (${c} missing). Count calls in a browser page with WebGPU (Chrome with --enable-unsafe-webgpu).`);
    }
    const undo = [
      wrap(c.pass, 'dispatchWorkgroups', () => void totals.dispatches++),
      wrap(c.pass, 'dispatchWorkgroupsIndirect', () => void totals.dispatches++),
      wrap(c.device, 'createBindGroup', () => void totals.bindGroupsCreated++),
      wrap(c.queue, 'writeBuffer', (a) => {
        totals.writeBufferCalls++;
        totals.writeBufferBytes += writeBufferBytes(a[2], a[3] as number | undefined, a[4] as number | undefined);
      }),
      wrap(c.buffer, 'mapAsync', () => void totals.mapAsyncCalls++),
      wrap(c.queue, 'submit', () => void totals.submits++),
    ];
    restore = () => undo.forEach((u) => u());
  }
  handles++;
  let live = true;
  return {
    snapshot: () => ({ ...totals }),
    uninstall() {
      if (!live) return;
      live = false;
      if (--handles === 0) {
        restore?.();
        restore = null;
      }
    },
  };
}
