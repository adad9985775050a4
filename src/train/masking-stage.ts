// The masking half of a training step, between the batcher and the model: it prepares the GPU
// masking ops of the run's strategy once, does the per-step CPU work (unit structure, uniforms),
// and records the masking dispatches into the step's encoder before the model's forward.
// Three masks per run:
//   train:       the strategy (masking lab), seeded by the run seed, step = training step;
//   fixed eval:  BERT uniform 15%, all [MASK], EVAL_MASK_SEED, step = eval batch index — the same
//                tokens for every run and strategy (spec D.1), so runs compare fairly;
//   own eval:    the strategy's choice of tokens on the held-out batches, seed-frozen
//                (OWN_EVAL_SEED), every chosen token [MASK] (no 10% kept or random: a kept token
//                is copied, which would flatter the loss), showing how hard each strategy's own
//                task is.
// Attention-guided masking first runs the encoder on the unmasked batch with the current
// weights and scores tokens by the last layer's [CLS] attention (then the real forward runs).
import type { Batch } from '../data/batcher.ts';
import type { Dataset } from '../data/dataset.ts';
import type { StepEncoder } from '../gpu/step-encoder.ts';
import type { MaskStats } from './protocol.ts';
import { prepareAttentionScores, prepareMaskingLab, type PreparedMaskingLab } from '../masking/lab.ts';
import { labParams } from '../masking/lab-rules.ts';
import { prepareRandomMasking } from '../masking/random.ts';
import { strategyOf, type MaskingConfig } from '../masking/registry.ts';
import { buildUnits, type Units } from '../masking/units.ts';
import type { BertModel } from '../model/bert.ts';
import type { RunConfig } from '../model/config.ts';
import type { PreparedOp } from '../gpu/op-context.ts';

/** Seed of the fixed held-out eval mask. */
export const EVAL_MASK_SEED = 0x5eed_e7a1;
/** Seed of the own-mask eval: fixed, and different from any training seed a person would pick. */
export const OWN_EVAL_SEED = 0x0e7a_0b5e;

/** What a strategy needs from the data (its registry `needs`), checked before anything is built. */
export function checkMaskingData(m: MaskingConfig, source: string): void {
  if (source === 'brown') return;
  const s = strategyOf(m);
  if (s.needs.includes('tags') && source === 'text') throw new Error(`${s.name} needs part-of-speech tags; your own text has none (only the Brown corpus is tagged): pick another strategy or the Brown corpus.`);
  if (source === 'text') return;
  if (s.needs.includes('tags')) throw new Error(`${s.name} needs part-of-speech tags, which only the Brown corpus has: use --data brown (or pick another strategy).`);
  if (s.needs.includes('lexicon')) throw new Error(`${s.name} learns its n-gram lexicon from a corpus; synthetic data has none: use --data brown (or pick another strategy).`);
}

/** Whether the strategy reads the model's attention each step (then the masks depend on the weights). */
export function usesAttention(m: MaskingConfig): boolean {
  return strategyOf(m).needs.includes('attention');
}

/** The strategy with every chosen token replaced by [MASK] (the own eval's corruption). */
export function allMasked(cfg: MaskingConfig): MaskingConfig {
  return { ...cfg, params: { ...cfg.params, maskProb: 1, randomProb: 0 } };
}

export class MaskingStage {
  private units: Units | null = null;

  private constructor(
    private readonly model: BertModel,
    private readonly cfg: MaskingConfig,
    private readonly dataset: Dataset,
    private readonly train: PreparedMaskingLab,
    private readonly fixedEval: PreparedOp & { setStep(step: number): void },
    private readonly ownEval: PreparedMaskingLab,
    private readonly scores: PreparedOp | null,
  ) {}

  static async create(model: BertModel, run: RunConfig, cfg: MaskingConfig, dataset: Dataset): Promise<MaskingStage> {
    checkMaskingData(cfg, dataset.source);
    const { B, P, V } = model.shape;
    const T = run.model.T;
    const t = model.t;
    const ctx = model.ctx;
    const lab = (seed: number, c: MaskingConfig) =>
      prepareMaskingLab(
        ctx,
        {
          tokens: t('tokens'),
          units: t('mask.units'),
          unitWeights: t('mask.unit_weights'),
          ...(usesAttention(cfg) ? { scores: t('mask.scores') } : {}),
          cdf: t('mask.cdf'),
          inputs: t('inputs'),
          positions: t('positions'),
          targets: t('targets'),
          weights: t('weights'),
          record: t('record'),
          rowStats: t('mask.row_stats'),
          stats: t('mask.stats'),
        },
        { B, T, P, V },
        labParams(c, { seed, totalSteps: run.train.steps, T, P, V, unigram: dataset.unigram }),
      );
    const io = { tokens: t('tokens'), inputs: t('inputs'), positions: t('positions'), targets: t('targets'), weights: t('weights'), record: t('record') };
    const fixed = await prepareRandomMasking(ctx, io, { B, T, P }, { rate: 0.15, maxPredictions: P, maskProb: 1, randomProb: 0, vocabSize: V, seed: EVAL_MASK_SEED });
    const scores =
      usesAttention(cfg)
        ? await prepareAttentionScores(ctx, { probs: t(model.scoring.probs), scores: t('mask.scores') }, { B, NH: model.scoring.NH, T })
        : null;
    return new MaskingStage(model, cfg, dataset, await lab(run.train.seed, cfg), fixed, await lab(OWN_EVAL_SEED, allMasked(cfg)), scores);
  }

  /** GPU tensor of this step's mask statistics (8 u32: L, masked, MASK, RANDOM, KEEP, units, fallback, 0). */
  get statsRange() {
    return this.model.t('mask.stats');
  }

  /** Per-token units of `batch` uploaded for the lab (CPU work of a step, a few ms at most). */
  private uploadUnits(batch: Batch): void {
    this.units = buildUnits(this.cfg, batch, { tagNames: this.dataset.tagNames, unigram: this.dataset.unigram }, this.units ?? undefined);
    this.model.arena.write('mask.units', this.units.units);
    this.model.arena.write('mask.unit_weights', this.units.weights);
  }

  /** Attention strategy: the encoder on the unmasked batch, then [CLS]→token scores. */
  private recordScores(enc: StepEncoder): void {
    if (!this.scores) return;
    this.model.recordEncoderForward(enc, 'tokens');
    this.scores.record(enc);
  }

  /**
   * Per-step CPU work and uniforms for training step `step` on `batch` (already uploaded as the
   * model's tokens). Must run before the step is recorded: writes land before its submit.
   */
  prepareTrain(batch: Batch, step: number): void {
    this.uploadUnits(batch);
    this.train.setStep(step);
  }

  recordTrain(enc: StepEncoder): void {
    this.recordScores(enc);
    this.train.record(enc);
  }

  /** The scheduled masking rate of the last prepared training step. */
  get currentRate(): number {
    return this.train.current.rate;
  }

  /** The fixed eval mask for held-out batch `index` (one submit per eval batch). */
  recordFixedEval(enc: StepEncoder, index: number): void {
    this.fixedEval.setStep(index);
    this.fixedEval.record(enc);
  }

  /** The strategy's own mask for held-out batch `index`, seed-frozen (one submit per eval batch). */
  recordOwnEval(enc: StepEncoder, rows: Batch, index: number): void {
    this.uploadUnits(rows);
    this.ownEval.setStep(index, { forceRandom: false });
    this.recordScores(enc);
    this.ownEval.record(enc);
  }
}

/** Per-step mask statistics from the lab's stats (L, masked, MASK, RANDOM, KEEP, units, fallback). */
export function maskStats(st: Uint32Array, rate: number, B: number): MaskStats {
  const [L, masked, mk, rnd, keep, units, fallback] = Array.from(st);
  const share = (x: number) => (masked! > 0 ? x / masked! : 0);
  return {
    targetRate: rate,
    achievedRate: L! > 0 ? masked! / L! : 0,
    maskFrac: share(mk!),
    randomFrac: share(rnd!),
    keepFrac: share(keep!),
    meanUnitLength: units! > 0 ? masked! / units! : 0,
    unitsPerSequence: units! / B,
    fallbackRows: fallback!,
  };
}
