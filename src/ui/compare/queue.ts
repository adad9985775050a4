// The comparison queue: runs that differ in chosen settings, trained one after another on the one
// engine (same data, same fixed eval mask; the seed is part of each setting). Each run is kept in
// the store beside the others, so the curves overlay and the table grows. A run that fails stops
// the queue, with its error shown; the runs already done stay.
import { create } from 'zustand';
import type { RunConfig } from '../../model/config.ts';
import { useRunStore } from '../../store/run.ts';
import { engine } from '../../train/client.ts';
import { runLabel } from '../../store/run-label.ts';

export interface QueuedRun {
  config: RunConfig;
  label: string;
  /** Runs of one group differ only in seed: one curve with a band. */
  group: string;
}

interface QueueSlice {
  pending: QueuedRun[];
  running: QueuedRun | null;
}

export const useQueueStore = create<QueueSlice>(() => ({ pending: [], running: null }));

/** `seeds` copies of `config` with seeds base, base+1, … (one group). */
export function withSeeds(config: RunConfig, seeds: number, label = runLabel(config, { seed: false })): QueuedRun[] {
  return Array.from({ length: seeds }, (_, i) => {
    const c = structuredClone(config);
    c.train.seed = config.train.seed + i;
    return { config: c, label: seeds > 1 ? `${label} · seed ${c.train.seed}` : label, group: label };
  });
}

export function enqueue(runs: QueuedRun[]): void {
  useQueueStore.setState((s) => ({ pending: [...s.pending, ...runs] }));
  if (!useQueueStore.getState().running) next();
}

export function clearQueue(): void {
  useQueueStore.setState({ pending: [] });
}

/** Starts the next pending run; called again when the running one is done. */
function next(): void {
  const [run, ...rest] = useQueueStore.getState().pending;
  if (!run) {
    useQueueStore.setState({ running: null });
    return;
  }
  useQueueStore.setState({ pending: rest, running: run });
  engine.configure(run.config, { label: run.label, group: run.group, compared: true });
  engine.start();
}

// Advances when the running run finishes; stops on an error (the banner says why).
useRunStore.subscribe((s, prev) => {
  const q = useQueueStore.getState();
  if (!q.running) return;
  if (s.error && !prev.error) {
    useQueueStore.setState({ running: null, pending: [] });
    return;
  }
  if (s.status === 'done' && prev.status !== 'done') next();
});
