// Store slice: saving, resuming and exporting the model. The autosaved runs the page found at load
// (offered for resume, train/autosave.ts), a checkpoint file refused for another setup (kept so
// the user can resume it with its own setup), what the engine is busy with, and the last export
// check.
import { create } from 'zustand';
import type { ExportCheck } from '../train/protocol.ts';
import type { AutosaveOffer } from './autosave-slots.ts';

export type ExportTask = 'checkpoint' | 'restore' | 'export' | 'verify';

export interface ExportSlice {
  /** Runs saved in this browser (this tab's earlier visits, other tabs'), newest first; offered until one is resumed. */
  offer: AutosaveOffer[];
  /** The step of the latest autosave in this visit (null: none yet); or why autosave is off or failed. */
  autosaved: { step: number; at: string } | null;
  autosaveProblem: string | null;
  /** The last save failed for want of storage: the page offers to discard the other saved runs. */
  autosaveFull: boolean;
  busy: ExportTask | null;
  /** Why the last checkpoint file was refused; `otherSetup`: it can resume with its own setup. */
  refusal: { message: string; hint: string; otherSetup: boolean } | null;
  check: ExportCheck | null;
  error: { message: string; hint: string } | null;
}

export const useExportStore = create<ExportSlice>(() => ({ offer: [], autosaved: null, autosaveProblem: null, autosaveFull: false, busy: null, refusal: null, check: null, error: null }));

export const setExportState = (s: Partial<ExportSlice>): void => useExportStore.setState(s);
