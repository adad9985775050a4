// Store slice: the setup the user is editing (the next run's config), the probe sentence, and
// presenter mode. The URL hash mirrors it (ui/setup/url-hash.ts), so a link reopens the same
// experiment.
import { create } from 'zustand';
import { presetConfig, type RunConfig } from '../model/config.ts';
import type { CorpusInfo } from '../train/protocol.ts';

/** The probe sentence until the user types one: English for Brown, symbols for the synthetic tasks. */
export function defaultProbe(source: RunConfig['data']['source']): string {
  return source === 'brown' || source === 'text' ? 'the [MASK] of the house was [MASK] .' : 'a b c [MASK] e f g';
}

export type XAxis = 'steps' | 'tokens' | 'flops';

export interface SetupSlice {
  /** The curves' x-axis (a comparison at equal compute wants FLOPs). */
  xAxis: XAxis;
  draft: RunConfig;
  /** null: the default for the run's data. */
  probe: string | null;
  presenter: boolean;
  /** Views closed: the engine is asked for nothing (and the benchmark's "views closed" case). */
  viewsOpen: boolean;
  /** The user's text the engine holds (data source 'text'), and a load in progress. */
  corpus: CorpusInfo | null;
  corpusLoading: { name: string; done: number; total: number } | null;
}

export const useSetupStore = create<SetupSlice>(() => ({ draft: presetConfig('bert-micro'), probe: null, presenter: false, viewsOpen: true, xAxis: 'steps', corpus: null, corpusLoading: null }));

export function corpusLoading(name: string, done: number, total: number): void {
  useSetupStore.setState({ corpusLoading: { name, done, total } });
}

/** A text loaded: it becomes the setup's data source. */
export function corpusReady(corpus: CorpusInfo): void {
  useSetupStore.setState((s) => ({ corpus, corpusLoading: null, draft: { ...s.draft, data: { ...s.draft.data, source: 'text' } } }));
}

/** A text refused: the previous corpus (and source) stay. */
export function corpusFailed(): void {
  useSetupStore.setState({ corpusLoading: null });
}

export function setXAxis(xAxis: XAxis): void {
  useSetupStore.setState({ xAxis });
}

export function setDraft(draft: RunConfig): void {
  useSetupStore.setState({ draft });
}

export function setProbeText(probe: string): void {
  useSetupStore.setState({ probe });
}

export function setViewsOpen(viewsOpen: boolean): void {
  useSetupStore.setState({ viewsOpen });
}

export function setPresenter(presenter: boolean): void {
  useSetupStore.setState({ presenter });
}
