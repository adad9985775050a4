// Adapter + device: asks for the limits the adapter really offers (the defaults cap storage
// bindings at 128 MiB and workgroups at 256 invocations), reports what it got, and turns device
// loss and uncaptured errors into GpuErrorInfo for the UI. Uses no DOM API: the same code runs in
// a page, a Web Worker and under Node with Dawn (`webgpu` package), which passes its own `GPU`.

import { KernelChoices } from './kernel-choices.ts';
import { GpuError, type GpuErrorInfo } from './errors.ts';
import { DEFAULT_MEMORY_BUDGET } from './memory-plan.ts';

/** Limits masklab raises to the adapter's maximum; also what the status panel shows. */
export const KEY_LIMITS = [
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupSizeY',
  'maxComputeWorkgroupsPerDimension',
  'maxStorageBuffersPerShaderStage',
] as const;
export type KeyLimit = (typeof KEY_LIMITS)[number];

/** Optional features we use when present; nothing requires them. */
const WANTED_FEATURES: GPUFeatureName[] = ['timestamp-query', 'shader-f16', 'subgroups'];

export interface AdapterReport {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** A software or otherwise degraded adapter (SwiftShader reports true). */
  isFallbackAdapter: boolean;
  /** Features of the adapter (what the device could have). */
  features: string[];
  /** Features the device was created with. */
  deviceFeatures: string[];
  /** The adapter's subgroup sizes (GPUAdapterInfo.subgroupMin/MaxSize); absent where not reported. */
  subgroupSizes?: { min: number; max: number };
  /** The device's limits after raising them (KEY_LIMITS only). */
  limits: Record<KeyLimit, number>;
}

/** Counters the benches read: what a training step costs besides kernel time. */
export interface GpuStats {
  dispatches: number;
  bindGroups: number;
  pipelines: number;
  /** Buffers created so far (each creator counts its own). */
  buffers: number;
  /**
   * Buffers alive now (created and not yet destroyed) and their bytes, counted on the device
   * itself (countLiveBuffers), so none is missed; what the soak test (cli/soak.ts) watches.
   */
  liveBuffers: number;
  liveBytes: number;
  submits: number;
  writeBufferBytes: number;
  readbackBytes: number;
  mapAsyncCalls: number;
}

/**
 * Which kernel variants suit this adapter. 'gpu': tiled kernels with workgroup memory and
 * barriers (the default on real GPUs). 'cpu': a CPU implementation of WebGPU (SwiftShader),
 * where each barrier in a large workgroup costs a context switch per invocation, so launchers
 * prefer barrier-free and right-sized variants. Both variants are tested against references.
 */
export type KernelProfile = 'gpu' | 'cpu';

export function defaultProfile(report: Pick<AdapterReport, 'isFallbackAdapter' | 'architecture'>): KernelProfile {
  return report.isFallbackAdapter || report.architecture === 'swiftshader' ? 'cpu' : 'gpu';
}

export interface GpuInitOptions {
  /** navigator.gpu by default; Node passes Dawn's GPU object. */
  gpu?: GPU;
  powerPreference?: GPUPowerPreference;
  /** Called for device loss and uncaptured errors (validation, out-of-memory). */
  onError?: (e: GpuErrorInfo) => void;
  /** Kernel variants to prefer; by default chosen from the adapter (defaultProfile). */
  profile?: KernelProfile;
  /** Bytes a run may hold on this GPU (memory-plan.ts); DEFAULT_MEMORY_BUDGET by default. */
  memoryBudget?: number;
}

/** One GPUDevice plus what we learned about it. Owned by the worker (or a test page). */
export class Gpu {
  readonly stats: GpuStats = {
    dispatches: 0,
    bindGroups: 0,
    pipelines: 0,
    buffers: 0,
    liveBuffers: 0,
    liveBytes: 0,
    submits: 0,
    writeBufferBytes: 0,
    readbackBytes: 0,
    mapAsyncCalls: 0,
  };
  private listeners = new Set<(e: GpuErrorInfo) => void>();
  /** Set once the device is lost; later work is refused with this error. */
  lost: GpuErrorInfo | null = null;
  /** Read by launchers when an op is prepared; tests may switch it to check both variants. */
  profile: KernelProfile;
  /**
   * Bytes one run may hold, checked by every arena before it allocates (memory-plan.ts). A
   * stated figure, since WebGPU cannot report the GPU's memory; raise it where more is known.
   */
  memoryBudget = DEFAULT_MEMORY_BUDGET;
  /** Kernel variants the tuner chose on this device; every op context built on it reads them. */
  readonly kernels = new KernelChoices();

  constructor(
    readonly device: GPUDevice,
    readonly report: AdapterReport,
    profile?: KernelProfile,
  ) {
    this.profile = profile ?? defaultProfile(report);
  }

  get hasTimestamps(): boolean {
    return this.device.features.has('timestamp-query');
  }

  /** Subgroup sizes when the device has the `subgroups` feature (else null); 4..128 where the adapter does not say. */
  get subgroups(): { min: number; max: number } | null {
    if (!this.device.features.has('subgroups')) return null;
    return this.report.subgroupSizes ?? { min: 4, max: 128 };
  }

  onError(listener: (e: GpuErrorInfo) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(e: GpuErrorInfo): void {
    for (const l of this.listeners) l(e);
  }

  /** queue.writeBuffer with byte accounting; every upload in the engine goes through here. */
  write(buffer: GPUBuffer, offset: number, data: ArrayBufferView): void {
    this.device.queue.writeBuffer(buffer, offset, data);
    this.stats.writeBufferBytes += data.byteLength;
  }

  snapshotStats(): GpuStats {
    return { ...this.stats };
  }

  destroy(): void {
    this.device.destroy();
  }
}

function readAdapterInfo(adapter: GPUAdapter): Omit<AdapterReport, 'deviceFeatures' | 'limits'> {
  const info = adapter.info;
  // isFallbackAdapter moved from GPUAdapter to GPUAdapterInfo (Chrome 136); accept both.
  const legacy = (adapter as unknown as { isFallbackAdapter?: boolean }).isFallbackAdapter;
  const fromInfo = (info as unknown as { isFallbackAdapter?: boolean }).isFallbackAdapter;
  const sg = info as unknown as { subgroupMinSize?: number; subgroupMaxSize?: number };
  return {
    vendor: info.vendor,
    architecture: info.architecture,
    device: info.device,
    description: info.description,
    isFallbackAdapter: Boolean(fromInfo ?? legacy ?? false),
    features: [...adapter.features].map(String).sort(),
    ...(sg.subgroupMinSize && sg.subgroupMaxSize ? { subgroupSizes: { min: sg.subgroupMinSize, max: sg.subgroupMaxSize } } : {}),
  };
}

/**
 * Wraps the device's createBuffer once so `stats` counts every buffer alive and its bytes; each
 * buffer's destroy() takes it off again (once, however often it is called). A buffer dropped
 * without destroy() stays counted: the garbage collector would free it some time, but a count
 * that grows while a run trains is the leak the soak test exists to catch. Destroying the device
 * frees all its buffers without their destroy(); the counts then belong to a Gpu no one uses.
 */
function countLiveBuffers(device: GPUDevice, stats: GpuStats): void {
  const create = device.createBuffer.bind(device);
  device.createBuffer = (descriptor: GPUBufferDescriptor): GPUBuffer => {
    const buffer = create(descriptor);
    const bytes = buffer.size;
    stats.liveBuffers++;
    stats.liveBytes += bytes;
    const destroy = buffer.destroy.bind(buffer);
    let alive = true;
    buffer.destroy = () => {
      if (alive) {
        alive = false;
        stats.liveBuffers--;
        stats.liveBytes -= bytes;
      }
      destroy();
    };
    return buffer;
  };
}

/** Finds an adapter and creates a device with raised limits; throws GpuError when it cannot. */
export async function initGpu(opts: GpuInitOptions = {}): Promise<Gpu> {
  const gpu = opts.gpu ?? (globalThis.navigator as Navigator | undefined)?.gpu;
  if (!gpu) throw new GpuError('no-webgpu', 'WebGPU is not available in this browser (navigator.gpu is missing).');
  const adapter = await gpu.requestAdapter({ powerPreference: opts.powerPreference ?? 'high-performance' });
  if (!adapter) throw new GpuError('no-adapter', 'WebGPU is present, but no GPU adapter was found.');

  const requiredLimits: Record<string, number> = {};
  for (const k of KEY_LIMITS) requiredLimits[k] = adapter.limits[k];
  const requiredFeatures = WANTED_FEATURES.filter((f) => adapter.features.has(f));

  let device: GPUDevice;
  try {
    device = await adapter.requestDevice({ requiredLimits, requiredFeatures, label: 'masklab' });
  } catch (e) {
    throw new GpuError('device-request', `requestDevice failed: ${e instanceof Error ? e.message : String(e)}`);
  }

  const limits = {} as Record<KeyLimit, number>;
  for (const k of KEY_LIMITS) limits[k] = device.limits[k];
  const report: AdapterReport = {
    ...readAdapterInfo(adapter),
    deviceFeatures: [...device.features].map(String).sort(),
    limits,
  };
  const g = new Gpu(device, report, opts.profile);
  countLiveBuffers(device, g.stats);
  if (opts.memoryBudget !== undefined) g.memoryBudget = opts.memoryBudget;
  if (opts.onError) g.onError(opts.onError);

  void device.lost.then((info) => {
    if (info.reason === 'destroyed') return; // we destroyed it on purpose
    const err = new GpuError('device-lost', `The GPU device was lost: ${info.message || 'no reason given'}.`);
    g.lost = err.toInfo();
    g.emit(g.lost);
  });
  device.addEventListener('uncapturederror', (ev) => {
    const error = (ev as GPUUncapturedErrorEvent).error;
    // Class names rather than instanceof: Dawn under Node does not define the classes globally.
    const kind = error.constructor.name === 'GPUOutOfMemoryError' ? 'out-of-memory' : error.constructor.name === 'GPUValidationError' ? 'validation' : 'internal';
    g.emit(new GpuError(kind, `GPU ${kind} error: ${error.message}`).toInfo());
  });
  return g;
}
