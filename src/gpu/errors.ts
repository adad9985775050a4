// Every way the GPU can fail, as an error a person can act on: what went wrong and what to do.
// The UI shows `message` and `hint`; `kind` lets it pick the right page (e.g. the no-WebGPU page).
// Plain data on purpose: errors cross the worker boundary as { kind, message, hint }.

export type GpuErrorKind =
  | 'no-webgpu' // navigator.gpu is missing
  | 'no-adapter' // navigator.gpu exists but offers no adapter
  | 'device-request' // requestDevice failed
  | 'device-lost'
  | 'out-of-memory'
  | 'validation' // a bug in our own GPU code: the message names the label involved
  | 'shader-compile'
  | 'internal';

export interface GpuErrorInfo {
  kind: GpuErrorKind;
  message: string;
  hint: string;
}

export class GpuError extends Error implements GpuErrorInfo {
  readonly kind: GpuErrorKind;
  readonly hint: string;
  constructor(kind: GpuErrorKind, message: string, hint: string = HINTS[kind]) {
    super(message);
    this.name = 'GpuError';
    this.kind = kind;
    this.hint = hint;
  }
  toInfo(): GpuErrorInfo {
    return { kind: this.kind, message: this.message, hint: this.hint };
  }
}

const HINTS: Record<GpuErrorKind, string> = {
  'no-webgpu':
    'masklab needs WebGPU: use Chrome or Edge 113 or newer (desktop), or another Chromium-based ' +
    'browser. On Linux, start Chromium with --enable-unsafe-webgpu (add ' +
    '--use-webgpu-adapter=swiftshader on a machine without a GPU).',
  'no-adapter':
    'This browser has WebGPU but found no usable GPU adapter. Update the GPU driver, check ' +
    'chrome://gpu, or start Chromium with --enable-unsafe-webgpu --use-webgpu-adapter=swiftshader ' +
    'to run on the CPU (slow, but it works).',
  'device-request':
    'The GPU adapter refused to create a device with the limits masklab asked for. Try again, or ' +
    'use another browser or GPU.',
  'device-lost':
    'The GPU device was lost: the driver reset, or the tab used too much GPU memory. Reload the ' +
    'page; your runs and settings are kept.',
  'out-of-memory':
    'The GPU ran out of memory. Choose a smaller model, batch or sequence length and start again.',
  validation:
    'This is a bug in masklab, not in your setup. Please report it with the message above.',
  'shader-compile':
    'A WGSL shader did not compile on this GPU. This is a bug in masklab; please report it with ' +
    'the message above.',
  internal: 'The GPU reported an internal error. Reload the page and try again.',
};

/** Turns anything thrown into { kind, message, hint } so it can be posted to the UI. */
export function toGpuErrorInfo(e: unknown): GpuErrorInfo {
  if (e instanceof GpuError) return e.toInfo();
  const message = e instanceof Error ? e.message : String(e);
  return { kind: 'internal', message, hint: HINTS.internal };
}
