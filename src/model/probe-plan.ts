// The linear probe's arena plan (train/probe.ts): per task and split the examples' token segments
// and the pooled features of every layer, the training labels, and one classifier per task × layer
// (probe-classifier.ts). Built from example counts alone, so the memory check can plan the largest
// probe a config can get before the model or the probe set exists (probeArenaBound).
// What it does not do: choose the examples (data/probe-tasks.ts) or allocate.

import { ArenaPlan } from '../gpu/arena.ts';
import { probeExampleBound, probesUnavailable, probeTask } from '../data/probe-tasks.ts';
import { probeOf, type RunConfig } from './config.ts';
import { planClassifier, planClassifierShared } from './probe-classifier.ts';

export const PROBE_SPLITS = ['train', 'test'] as const;
export type ProbeSplitName = (typeof PROBE_SPLITS)[number];

/** (N, D) pooled features of `layer` for a task's examples in one split. */
export const probeFeature = (split: ProbeSplitName, task: string, layer: number): string => `probe.${split}.${task}.l${layer}`;
/** The classifier of a task on one layer's features. */
export const probeClassifier = (task: string, layer: number): string => `probe.${task}.l${layer}`;
/** (N, 2) u32 token segments of a task's examples in one split. */
export const probeSegments = (split: ProbeSplitName, task: string): string => `probe.${split}.${task}.segs`;
/** (N) u32 training labels of a task. */
export const probeLabels = (task: string): string => `probe.train.${task}.y`;

/** One task of the probe: its K classes and its example counts per split. */
export interface ProbeTaskCounts {
  id: string;
  K: number;
  train: number;
  test: number;
}

/** The probe's plan for `layers` hidden states of D features each (D = C + 1: the bias column). */
export function planProbe(tasks: readonly ProbeTaskCounts[], layers: number, D: number): ArenaPlan {
  const plan = new ArenaPlan();
  planClassifierShared(plan);
  for (const t of tasks) {
    for (const s of PROBE_SPLITS) {
      plan.add('probe.index', probeSegments(s, t.id), [t[s], 2], 'u32');
      for (let l = 0; l < layers; l++) plan.add('probe.feat', probeFeature(s, t.id, l), [t[s], D]);
    }
    plan.add('probe.index', probeLabels(t.id), [t.train], 'u32');
    for (let l = 0; l < layers; l++) planClassifier(plan, probeClassifier(t.id, l), { N: t.train, Nt: t.test, D, K: t.K });
  }
  return plan;
}

/**
 * Bytes of the largest probe arena `cfg` can get (0 when its data has no probe tasks): every task
 * at its example bound, on the hidden states of the embeddings and of each of the L layers
 * (model.views.hidden; ELECTRA's discriminator has the config's L layers too).
 */
export function probeArenaBound(cfg: RunConfig, align: number): number {
  const ids = probeOf(cfg).tasks;
  if (ids.length === 0 || probesUnavailable(cfg.data.source)) return 0;
  const tasks = ids.map((id) => ({ id, K: probeTask(id)!.classes.length, ...probeExampleBound(id, cfg.model.T) }));
  return planProbe(tasks, cfg.model.L + 1, cfg.model.C + 1).bytes(align);
}
