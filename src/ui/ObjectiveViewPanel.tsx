// An objective's own view (src/objectives/<id>/), its module loaded on first use (React.lazy,
// one lazy component per view, kept so a re-render does not load it again).
import { lazy, Suspense, type ComponentType } from 'react';
import type { BatchView, ProbeResult } from '../train/protocol.ts';
import type { ObjectiveView, ObjectiveViewProps } from '../objectives/view-types.ts';

const loaded = new Map<string, ComponentType<ObjectiveViewProps>>();

function lazyOf(v: ObjectiveView): ComponentType<ObjectiveViewProps> {
  let c = loaded.get(v.id);
  if (!c) {
    c = lazy(() => v.load().then((Component) => ({ default: Component })));
    loaded.set(v.id, c);
  }
  return c;
}

export function ObjectiveViewPanel(props: { view: ObjectiveView; batch: BatchView | null; probe: ProbeResult | null }) {
  const View = lazyOf(props.view);
  return (
    <Suspense fallback={<p className="muted placeholder">Loading the view…</p>}>
      <View view={props.batch} probe={props.probe} />
    </Suspense>
  );
}
