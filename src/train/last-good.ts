// The "last good state" of a run: which of the two GPU copies of parameters and AdamW moments
// (gpu/state-snapshot.ts) holds the latest state whose metrics passed the divergence watch, and
// which copy is still waiting for its verdict. A copy is taken on a read-back step, of the state
// that step starts from; its metrics arrive later (the readback is never waited for), and only a
// pass makes it the good one. The session decides when steps run and what a failure means; this
// file only keeps the bookkeeping of the two slots straight.

import type { StepEncoder } from '../gpu/step-encoder.ts';
import type { PoolSnapshots } from '../gpu/state-snapshot.ts';

/**
 * Fewest steps between two copies of the last good state: with metrics read back every step
 * (logEvery 1) a copy per step would double the optimizer's memory traffic for nothing.
 */
export const SNAPSHOT_MIN_GAP = 10;

interface Copy {
  slot: number;
  step: number;
}

export class LastGoodState {
  private good: Copy | null = null;
  /** The copy taken at `step`, waiting for that step's metrics to pass or fail the watch. */
  private unconfirmed: (Copy & { settled: Promise<unknown> }) | null = null;

  constructor(private readonly snapshots: PoolSnapshots) {}

  /** The step a roll-back would return to, or null when no copy has passed yet. */
  get step(): number | null {
    return this.good?.step ?? null;
  }

  /** Whether step `s`, whose metrics are read back, should copy the state it starts from. */
  due(s: number): boolean {
    if (this.good === null) return true;
    return s - Math.max(this.good.step, this.unconfirmed?.step ?? -Infinity) >= SNAPSHOT_MIN_GAP;
  }

  /** Waits for the verdict on a copy still pending: its slot may be the next one reused. */
  async settled(): Promise<void> {
    if (this.unconfirmed) await this.unconfirmed.settled;
  }

  /**
   * Records the copy of the state the step starts from into its command buffer (before the
   * step's dispatches), into the slot that does not hold the good state; call `settled` first and
   * `pending` once the step's readback exists. Returns the slot.
   */
  record(enc: StepEncoder): number {
    const slot = this.good?.slot === 0 ? 1 : 0;
    this.snapshots.record(enc, slot);
    return slot;
  }

  /** The copy in `slot` of step `s` waits for `settled` (its metrics' verdict). */
  pending(slot: number, s: number, settled: Promise<unknown>): void {
    this.unconfirmed = { slot, step: s, settled };
  }

  /** The verdict on step `step`'s metrics: a pass makes its copy (if it took one) the good state. */
  verdict(step: number, passed: boolean): void {
    const u = this.unconfirmed?.step === step ? this.unconfirmed : null;
    if (!u) return;
    this.unconfirmed = null;
    if (passed) this.good = { slot: u.slot, step: u.step };
  }

  /** Records "good copy → pools" and forgets any unconfirmed copy; returns the good step. */
  restore(enc: StepEncoder): number {
    const good = this.good;
    if (!good) throw new Error('There is no earlier state to roll back to: no metric window has passed the divergence check yet.');
    this.snapshots.restore(enc, good.slot);
    this.unconfirmed = null;
    return good.step;
  }

  destroy(): void {
    this.snapshots.destroy();
  }
}
