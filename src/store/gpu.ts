// Store slice: what the engine reported about WebGPU. Written only by train/client through the
// module-level actions below; read by the UI with narrow selectors.
import { create } from 'zustand';
import type { AdapterReport, AutotuneMode, GpuErrorInfo, GpuStats, TuneOutcome } from '../train/protocol.ts';

export type GpuStatus =
  | { state: 'checking' }
  | { state: 'ready'; adapter: AdapterReport; error: GpuErrorInfo | null }
  /** WebGPU never came up: the app shows the explanation page. */
  | { state: 'unavailable'; error: GpuErrorInfo };

/** Kernel tuning (gpu/autotune.ts): the mode asked for, a tuning under way, the last one's result. */
export interface TuningState {
  mode: AutotuneMode;
  progress: { done: number; total: number; key: string } | null;
  last: { outcomes: TuneOutcome[]; ms: number; rebuilt: boolean } | null;
}

export const useGpuStore = create<{ status: GpuStatus; stats: GpuStats | null; tuning: TuningState }>(() => ({
  status: { state: 'checking' },
  stats: null,
  tuning: { mode: 'auto', progress: null, last: null },
}));

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

export function setTuneMode(mode: AutotuneMode): void {
  useGpuStore.setState((st) => ({ tuning: { ...st.tuning, mode } }));
}

export function setTuneProgress(progress: TuningState['progress']): void {
  useGpuStore.setState((st) => ({ tuning: { ...st.tuning, progress } }));
}

export function setTuned(last: NonNullable<TuningState['last']>): void {
  useGpuStore.setState((st) => ({ tuning: { ...st.tuning, progress: null, last } }));
}
