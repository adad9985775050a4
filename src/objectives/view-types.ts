// A view an objective adds to the playground beside the built-in ones (fill the mask, masks,
// attention), loaded on demand from its folder (`spec.views`), drawn from what the store holds.
import type { ComponentType } from 'react';
import type { BatchView, ProbeResult } from '../train/protocol.ts';

export interface ObjectiveViewProps {
  /** The last training batch the engine sent (null before the first). */
  view: BatchView | null;
  /** The probe sentence's forward on the current weights (null before the first). */
  probe: ProbeResult | null;
}

export interface ObjectiveView {
  id: string;
  /** The panel's heading. */
  title: string;
  /** Loads its component (a module of the objective's folder; UI rules apply to it). */
  load: () => Promise<ComponentType<ObjectiveViewProps>>;
}
