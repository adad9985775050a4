// Store slice: saving, resuming and exporting the model. The autosave the page found at load
// (offered for resume), a checkpoint file refused for another setup (kept so the user can resume
// it with its own setup), what the engine is busy with, and the last export check.
import { create } from 'zustand';
import type { ExportCheck } from '../train/protocol.ts';
import type { SavedCheckpoint } from './checkpoint-db.ts';

export type ExportTask = 'checkpoint' | 'restore' | 'export' | 'verify';

export interface ExportSlice {
  /** An autosave from an earlier visit, offered until resumed or discarded. */
  offer: Omit<SavedCheckpoint, 'bytes'> | null;
  /** The step of the latest autosave in this visit (null: none yet); or why autosave is off. */
  autosaved: { step: number; at: string } | null;
  autosaveProblem: string | null;
  busy: ExportTask | null;
  /** Why the last checkpoint file was refused; `otherSetup`: it can resume with its own setup. */
  refusal: { message: string; hint: string; otherSetup: boolean } | null;
  check: ExportCheck | null;
  error: { message: string; hint: string } | null;
}

export const useExportStore = create<ExportSlice>(() => ({ offer: null, autosaved: null, autosaveProblem: null, busy: null, refusal: null, check: null, error: null }));

export const setExportState = (s: Partial<ExportSlice>): void => useExportStore.setState(s);
