// Each objective's engine side, found by convention at src/objectives/<id>/runtime.ts (exporting
// `runtime`) and loaded when a run needs it: the specs stay data that every layer (and the Node
// CLIs' type check) can read without pulling in GPU code, and a new objective needs no line here.
import type { ObjectiveRuntime } from '../objectives/runtime-types.ts';

const MODULES = import.meta.glob<{ runtime: ObjectiveRuntime }>('../objectives/*/runtime.ts');

export async function runtimeOf(objective: string): Promise<ObjectiveRuntime> {
  const load = MODULES[`../objectives/${objective}/runtime.ts`];
  if (!load) throw new Error(`Objective "${objective}" has no engine side: src/objectives/${objective}/runtime.ts is missing.`);
  return (await load()).runtime;
}
