// Store slice: what the views draw that is not a metric — the latest probe result (attention,
// fill-the-mask, ELECTRA scores on the probe sentence) and the latest batch view (masks, ELECTRA
// samples, mask strip). Replaced whole on each update; the large attention array is transferred
// from the worker, never copied here.
import { create } from 'zustand';
import type { BatchView, ProbeResult } from '../train/protocol.ts';

export interface ViewsSlice {
  probe: ProbeResult | null;
  batch: BatchView | null;
}

export const useViewsStore = create<ViewsSlice>(() => ({ probe: null, batch: null }));

export function setProbe(probe: ProbeResult): void {
  useViewsStore.setState({ probe });
}

export function setBatchView(batch: BatchView): void {
  useViewsStore.setState({ batch });
}

/** A new run: the old model's views would be misleading. */
export function clearViews(): void {
  useViewsStore.setState({ probe: null, batch: null });
}
