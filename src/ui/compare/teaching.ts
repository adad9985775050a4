// Ready-made comparisons that reproduce the spec's findings (masking-spec.md §D), each a set of
// variants applied to the current setup (so a lecturer picks the data and model size first), with
// the finding in one line, the curve that carries it (the findings are about representations, so
// mostly the linear probes of issue [H], not the pretext loss), and what masklab measured at its
// own scale (README, "Do the findings reproduce?"). Pure: returns the queued runs; the panel
// enqueues them.
import type { RunConfig } from '../../model/config.ts';
import type { XAxis } from '../../store/setup.ts';
import { runLabel } from '../../store/run-label.ts';
import { withSeeds, type QueuedRun } from './queue.ts';

export interface Experiment {
  id: string;
  title: string;
  /** What the literature found. */
  finding: string;
  /** The curve that carries the finding, and how to read it. */
  read: string;
  /** What masklab's own runs showed (README's reproduction table): whether the direction reproduces at this scale. */
  ours: string;
  xAxis: XAxis;
  variants: { name: string; apply: (c: RunConfig) => void }[];
}

/**
 * The runs behind each verdict below (README, “Do the findings reproduce?”): the character-level
 * protocol, where every run learns past the unigram plateau; the WordPiece one, where most do not.
 */
const SCALE = 'Measured here (bert-micro on Brown characters, 1,500 steps, seeds 1–3)';
const WORDPIECE = 'with WordPiece, where the runs had not left the unigram plateau';

const masking = (strategy: string, params: Record<string, number | string>) => (c: RunConfig) => {
  c.objective = 'mlm';
  c.masking = { strategy, params: { ...params } };
};

export const EXPERIMENTS: readonly Experiment[] = [
  {
    id: 'rate',
    title: '15% vs 40% masking',
    finding: 'Wettig et al. 2023: 40% beats 15% for BERT-large (MNLI 84.5 vs 84.2).',
    read: 'Read the probe curves (Probe: POS tags, Probe: Genre; higher is better), not the train loss: a 40% task is harder by construction.',
    ours: `${SCALE}: no clear difference — 40% is 0.009 below 15% on the POS probe, within the noise (±0.020); the finding is for BERT-large and does not show at this size (${WORDPIECE}, 40% was ahead only because it leaves the plateau sooner).`,
    xAxis: 'steps',
    variants: [
      { name: 'random 15%', apply: masking('random', { rate: 0.15 }) },
      { name: 'random 40%', apply: masking('random', { rate: 0.4 }) },
    ],
  },
  {
    id: 'corruption',
    title: '80/10/10 vs all-[MASK]',
    finding: 'DinkyTrain (Wettig et al. 2023): at 15%, 83.7 with 80/10/10 vs 84.2 all-[MASK] on MNLI — the random/keep replacements are not needed.',
    read: 'Read the probe curves: if the replacements do not matter, the two runs overlap.',
    ours: `${SCALE}: the opposite, narrowly — all-[MASK] is below 80/10/10 on every seed (POS probe −0.021, noise ±0.020; ${WORDPIECE}, −0.12). A frozen probe reads unmasked words, which all-[MASK] never trains the model to represent (BERT’s reason for the 10/10); fine-tuning, what the paper measured, can repair that.`,
    xAxis: 'steps',
    variants: [
      { name: '80/10/10', apply: masking('random', { maskProb: 0.8, randomProb: 0.1 }) },
      { name: 'all [MASK]', apply: masking('random', { maskProb: 1, randomProb: 0 }) },
    ],
  },
  {
    id: 'units',
    title: 'random vs whole-word vs span',
    finding: 'BERT whole-word masking, SpanBERT: whole words and spans make a harder task that transfers better.',
    read: 'Harder: the dashed own-mask lines of Held-out accuracy. Transfers better: the probe curves, where the finding puts whole-word and span above random.',
    ours: `${SCALE}: whole-word vs random shows no clear difference (POS probe −0.005, noise ±0.020), though its own task is harder (own-mask accuracy 0.250 vs 0.265); span vs random neither (−0.005, +0.004, −0.024: mean −0.008; ${WORDPIECE}, +0.03 on two seeds).`,
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
    finding: 'Clark et al. 2020: ELECTRA learns more per FLOP than MLM, most for small models (GLUE).',
    read: 'The x-axis switches to estimated FLOPs (equal x = equal compute). Read the probe curves: BERT’s encoder against ELECTRA’s discriminator, the model ELECTRA keeps — not the generator’s MLM loss.',
    ours: `${SCALE}: no clear difference — in 1,500 steps ELECTRA never left the plateau (discriminator AUC 0.55–0.58); in 4,000 steps it does on all three seeds (AUC 0.83–0.85), and at equal FLOPs its POS probe is level with MLM’s (−0.020, +0.001, −0.004: mean −0.008, noise ±0.020). The paper’s gain per FLOP does not show at this size; ${WORDPIECE}, one seed put it 0.03 below.`,
    xAxis: 'flops',
    variants: [
      { name: 'MLM', apply: masking('random', {}) },
      {
        name: 'ELECTRA',
        apply: (c) => {
          c.objective = 'electra';
          c.masking = { strategy: 'random', params: {} };
          // As the electra presets: a generator that learns the data perfectly would leave nothing to detect.
          c.electra = { ...c.electra, disallowCorrect: true };
        },
      },
    ],
  },
  {
    id: 'attention',
    title: 'attention-guided masking',
    finding: 'AttMask (Kakogeorgiou et al. 2022, on images): masking what the model attends to most is a harder task that learns better representations.',
    read: 'Harder: the dashed own-mask lines of Held-out accuracy. Better representations: the probe curves, against random masking at the same rate.',
    ours: `${SCALE}: too early to tell — it leaves the plateau later than random (one seed of three had not). In 4,000 steps all three seeds are past it and the POS probe shows no clear difference (−0.019, +0.015, −0.001: mean −0.002, noise ±0.020); ${WORDPIECE}, two seeds gave +0.00 and −0.10.`,
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
