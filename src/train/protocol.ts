// The typed messages between the engine (in a Web Worker, or in the plain headless page the CLI
// drives) and its client. Plain data only: they are posted, and large arrays are transferred.
// [B] adds training commands (configure, start, pause, step, stop) and metrics.

import type { AdapterReport } from '../gpu/device.ts';
import type { GpuErrorInfo } from '../gpu/errors.ts';

export type { AdapterReport, GpuErrorInfo };

/** Client → engine. */
export type EngineCommand = { type: 'init' };

/** Engine → client. */
export type EngineEvent =
  | { type: 'gpu-ready'; adapter: AdapterReport }
  /** Setup failed (no WebGPU, no adapter) or the device broke later (lost, out of memory, bug). */
  | { type: 'gpu-error'; error: GpuErrorInfo }
  | { type: 'log'; line: string };

export type PostEvent = (event: EngineEvent, transfer?: Transferable[]) => void;
