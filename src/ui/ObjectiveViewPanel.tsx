// An objective's own view (spec.views): the named export of a module in the objective's folder,
// found by convention (src/objectives/<id>/<module>) and loaded on first use with React.lazy, one
// lazy component per view, kept so a re-render does not load it again.
import { lazy, Suspense, type ComponentType } from 'react';
import type { ObjectiveView } from '../objectives/types.ts';
import type { ObjectiveViewProps } from '../objectives/view-types.ts';
import type { BatchView, ProbeResult } from '../train/protocol.ts';

type ViewModule = Record<string, ComponentType<ObjectiveViewProps>>;
const MODULES = import.meta.glob<ViewModule>('../objectives/*/*.tsx');
const loaded = new Map<string, ComponentType<ObjectiveViewProps>>();

function lazyOf(objective: string, v: ObjectiveView): ComponentType<ObjectiveViewProps> {
  const key = `../objectives/${objective}/${v.module}`;
  let c = loaded.get(key + '#' + v.export);
  if (!c) {
    const load = MODULES[key];
    c = lazy(async () => {
      const Component = load ? (await load())[v.export] : undefined;
      if (!Component) throw new Error(`The view "${v.id}" of ${objective} is missing: src/objectives/${objective}/${v.module} exports no ${v.export}.`);
      return { default: Component };
    });
    loaded.set(key + '#' + v.export, c);
  }
  return c;
}

export function ObjectiveViewPanel(props: { objective: string; view: ObjectiveView; batch: BatchView | null; probe: ProbeResult | null }) {
  const View = lazyOf(props.objective, props.view);
  return (
    <Suspense fallback={<p className="muted placeholder">Loading the view…</p>}>
      <View view={props.batch} probe={props.probe} />
    </Suspense>
  );
}
