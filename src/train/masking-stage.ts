// The masking half of a training step, between the batcher and the model: it prepares the GPU
// masking ops of the run's strategy once, does the per-step CPU work (unit structure, uniforms),
// and records the masking dispatches into the step's encoder before the model's forward.
// Three masks per run:
//   train:       the strategy, seeded by the run seed, step = training step;
//   fixed eval:  BERT uniform 15%, all [MASK], EVAL_MASK_SEED, step = eval batch index — the same
//                tokens for every run and strategy (spec D.1), so runs compare fairly;
//   own eval:    the strategy itself on the held-out batches, seed-frozen (OWN_EVAL_SEED),
//                showing how hard each strategy's own task is.
import type { Batch } from '../data/batcher.ts';
import type { StepEncoder } from '../gpu/encoder.ts';
import { prepareRandomMasking } from '../masking/random.ts';
import type { BertModel } from '../model/bert.ts';
import { maskingOf, type RunConfig } from '../model/config.ts';
import type { PreparedOp } from '../model/ops/context.ts';

/** Seed of the fixed held-out eval mask. */
export const EVAL_MASK_SEED = 0x5eed_e7a1;
/** Seed of the own-mask eval: fixed, and different from any training seed a person would pick. */
export const OWN_EVAL_SEED = 0x0e7a_0b5e;

type SteppedOp = PreparedOp & { setStep(step: number): void };

export class MaskingStage {
  private constructor(
    private readonly train: SteppedOp,
    private readonly fixedEval: SteppedOp,
    private readonly ownEval: SteppedOp,
  ) {}

  static async create(model: BertModel, cfg: RunConfig): Promise<MaskingStage> {
    const m = maskingOf(cfg);
    if (m.strategy !== 'random') {
      throw new Error(`Masking strategy "${m.strategy}" is not available yet; use "random".`);
    }
    const { B, P, V } = model.shape;
    const T = cfg.model.T;
    const t = model.t;
    const io = { tokens: t('tokens'), inputs: t('inputs'), positions: t('positions'), targets: t('targets'), weights: t('weights'), record: t('record') };
    const shape = { B, T, P };
    const p = m.params;
    const own = { rate: Number(p.rate), maxPredictions: P, maskProb: Number(p.maskProb), randomProb: Number(p.randomProb), vocabSize: V };
    return new MaskingStage(
      await prepareRandomMasking(model.ctx, io, shape, { ...own, seed: cfg.train.seed }),
      await prepareRandomMasking(model.ctx, io, shape, { rate: 0.15, maxPredictions: P, maskProb: 1, randomProb: 0, vocabSize: V, seed: EVAL_MASK_SEED }),
      await prepareRandomMasking(model.ctx, io, shape, { ...own, seed: OWN_EVAL_SEED }),
    );
  }

  /**
   * Per-step CPU work and uniforms for training step `step` on `batch` (already uploaded as the
   * model's tokens). Must run before the step is recorded: writes land before its submit.
   */
  prepareTrain(_batch: Batch, step: number): void {
    this.train.setStep(step);
  }

  recordTrain(enc: StepEncoder): void {
    this.train.record(enc);
  }

  /** The fixed eval mask for held-out batch `index` (one submit per eval batch). */
  recordFixedEval(enc: StepEncoder, index: number): void {
    this.fixedEval.setStep(index);
    this.fixedEval.record(enc);
  }

  /** The strategy's own mask for held-out batch `index`, seed-frozen. */
  recordOwnEval(enc: StepEncoder, _rows: Batch, index: number): void {
    this.ownEval.setStep(index);
    this.ownEval.record(enc);
  }
}

