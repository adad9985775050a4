// What an objective's own view (spec.views) is drawn from: what the store holds.
import type { BatchView, ProbeResult } from '../train/protocol.ts';

export interface ObjectiveViewProps {
  /** The last training batch the engine sent (null before the first). */
  view: BatchView | null;
  /** The probe sentence's forward on the current weights (null before the first). */
  probe: ProbeResult | null;
}
