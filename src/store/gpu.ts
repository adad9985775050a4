// Store slice: what the engine reported about WebGPU. Written only by train/client through the
// module-level actions below; read by the UI with narrow selectors.
import { create } from 'zustand';
import type { AdapterReport, GpuErrorInfo, GpuStats } from '../train/protocol.ts';

export type GpuStatus =
  | { state: 'checking' }
  | { state: 'ready'; adapter: AdapterReport; error: GpuErrorInfo | null }
  /** WebGPU never came up: the app shows the explanation page. */
  | { state: 'unavailable'; error: GpuErrorInfo };

export const useGpuStore = create<{ status: GpuStatus; stats: GpuStats | null }>(() => ({ status: { state: 'checking' }, stats: null }));

export function setGpuReady(adapter: AdapterReport): void {
  useGpuStore.setState({ status: { state: 'ready', adapter, error: null } });
}

/** Before the device exists the error replaces the app; afterwards it is a banner over it. */
export function setGpuError(error: GpuErrorInfo): void {
  const prev = useGpuStore.getState().status;
  if (prev.state === 'ready') useGpuStore.setState({ status: { ...prev, error } });
  else useGpuStore.setState({ status: { state: 'unavailable', error } });
}

/** The engine's GPU counters as last asked for (engine.gpuStats): live buffers and bytes, etc. */
export function setGpuStats(stats: GpuStats | null): void {
  useGpuStore.setState({ stats });
}
