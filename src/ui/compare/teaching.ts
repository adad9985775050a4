// Ready-made comparisons that reproduce the spec's findings (masking-spec.md §D), each a set of
// variants applied to the current setup (so a lecturer picks the data and model size first), with
// the finding in one line. Pure: returns the queued runs; the panel enqueues them.
import type { RunConfig } from '../../model/config.ts';
import type { XAxis } from '../../store/setup.ts';
import { runLabel } from '../../store/run-label.ts';
import { withSeeds, type QueuedRun } from './queue.ts';

export interface Experiment {
  id: string;
  title: string;
  /** What the literature found, and what to look for in the curves. */
  finding: string;
  xAxis: XAxis;
  variants: { name: string; apply: (c: RunConfig) => void }[];
}

const masking = (strategy: string, params: Record<string, number | string>) => (c: RunConfig) => {
  c.objective = 'mlm';
  c.masking = { strategy, params: { ...params } };
};

export const EXPERIMENTS: readonly Experiment[] = [
  {
    id: 'rate',
    title: '15% vs 40% masking',
    finding: 'Wettig et al. 2023: 40% beats 15% for BERT-large. Compare the solid fixed-mask eval curves, not the train loss (a 40% task is harder by construction).',
    xAxis: 'steps',
    variants: [
      { name: 'random 15%', apply: masking('random', { rate: 0.15 }) },
      { name: 'random 40%', apply: masking('random', { rate: 0.4 }) },
    ],
  },
  {
    id: 'corruption',
    title: '80/10/10 vs all-[MASK]',
    finding: 'DinkyTrain: at 15%, 83.7 with 80/10/10 vs 84.2 all-[MASK] on MNLI — the random/keep replacements are not needed.',
    xAxis: 'steps',
    variants: [
      { name: '80/10/10', apply: masking('random', { maskProb: 0.8, randomProb: 0.1 }) },
      { name: 'all [MASK]', apply: masking('random', { maskProb: 1, randomProb: 0 }) },
    ],
  },
  {
    id: 'units',
    title: 'random vs whole-word vs span',
    finding: 'Whole words and spans make a harder task (lower accuracy under their own mask, dashed) that transfers better; on the shared fixed mask they stay close.',
    xAxis: 'steps',
    variants: [
      { name: 'random', apply: masking('random', {}) },
      { name: 'whole-word', apply: masking('whole-word', {}) },
      { name: 'span', apply: masking('span', {}) },
    ],
  },
  {
    id: 'electra',
    title: 'MLM vs ELECTRA at equal FLOPs',
    finding: 'Clark et al. 2020: ELECTRA learns more per FLOP, most for small models; the x-axis is estimated FLOPs, so equal x means equal compute.',
    xAxis: 'flops',
    variants: [
      { name: 'MLM', apply: masking('random', {}) },
      {
        name: 'ELECTRA',
        apply: (c) => {
          c.objective = 'electra';
          c.masking = { strategy: 'random', params: {} };
        },
      },
    ],
  },
  {
    id: 'attention',
    title: 'attention-guided masking',
    finding: 'Masking the tokens the model attends to most (AttMask) makes the task harder early on; compare with random masking at the same rate.',
    xAxis: 'steps',
    variants: [
      { name: 'random', apply: masking('random', {}) },
      { name: 'attention-guided', apply: masking('attention', {}) },
    ],
  },
];

/** The experiment's runs on top of `base` (seed, data, model from the setup), `seeds` each. */
export function experimentRuns(e: Experiment, base: RunConfig, seeds: number): QueuedRun[] {
  return e.variants.flatMap((v) => {
    const c = structuredClone(base);
    v.apply(c);
    return withSeeds(c, seeds, `${v.name} · ${runLabel(c, { seed: false })}`);
  });
}
