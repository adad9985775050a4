// One masked-autoencoder run on the GPU, below the engine: seeded image batches, the run's image
// masks drawn on the GPU every step (src/masking/image-gpu.ts, into the model's mae.mask/mae.keep),
// steps submitted back to back, the training loss read every logEvery steps, and the held-out
// score: the masked-patch MSE under the fixed, seed-frozen 75% MAE-random mask (the same for every
// run on the set, whatever ratio or strategy it trains with: the fair comparison, on a
// forward-only plan at that mask's K) and under the run's own strategy, beside the mean-patch
// baseline on the same fixed mask.
// It is what an image session for the engine wraps (protocol events, views, probes, checkpoints:
// not here yet); GPU tests and experiments drive it directly.
import { imageRows, type ImageBatch, type ImageDataset } from '../data/image-batches.ts';
import { Arena, ArenaPlan } from '../gpu/arena.ts';
import type { Gpu } from '../gpu/device.ts';
import { readF32, ReadbackRing } from '../gpu/readback.ts';
import { StepEncoder } from '../gpu/step-encoder.ts';
import { prepareImageMasking, type PreparedImageMasking } from '../masking/image-gpu.ts';
import { imageStrategyById, parseImageMaskingConfig, type ImageMaskingConfig } from '../masking/image-registry.ts';
import { imageMaskPlan, type ImageMaskPlan } from '../masking/image-tables.ts';
import { imageMasksReference, type ImageMasks } from '../masking/image.ts';
import type { ModelConfig, TrainConfig } from '../model/config.ts';
import { POOLS } from '../model/layout.ts';
import { meanPatches, meanPatchMse } from '../objectives/mae/baseline.ts';
import type { MaeConfig } from '../objectives/mae/config.ts';
import { initMaeParams } from '../objectives/mae/layout.ts';
import { createMaeModel, type MaeModel } from '../objectives/mae/model.ts';
import { createMaePredictor, type MaePredictor } from '../objectives/mae/predictor.ts';
import { learningRate, type LrSchedule } from './schedule.ts';

export interface ImageRunConfig {
  model: ModelConfig;
  train: TrainConfig;
  mae: MaeConfig;
  masking: ImageMaskingConfig;
}

/** The fixed eval mask: MAE random at 75%, one seed for every run, step = the eval batch's index. */
export const IMAGE_EVAL_MASK = { ratio: 0.75, seed: 0x5eed75 } as const;
/** Own-mask evals draw from steps no training step reaches (2^31 + batch index). */
const OWN_EVAL_STEP = 0x80000000;
/** Training images the mean-patch baseline averages (all of them up to this many). */
const BASELINE_IMAGES = 4096;
/** Steps queued on the GPU before the CPU waits. */
const MAX_IN_FLIGHT = 2;

export interface ImageEval {
  step: number;
  /** Held-out masked-patch MSE under the fixed 75% random mask. */
  fixedMse: number;
  /** … under the run's own strategy. */
  ownMse: number;
}

export class ImageTrainer {
  step = 0;
  readonly losses: { step: number; loss: number }[] = [];
  readonly evals: ImageEval[] = [];
  /** The mean-patch baseline's MSE under the fixed eval mask (same rows, same target space). */
  readonly baselineMse: number;
  private readonly schedule: LrSchedule;
  /** Per eval batch k: the fixed mask (drawn at step k) and the run's own (at OWN_EVAL_STEP + k); the same at every eval. */
  private readonly evalMasks: { fixed: ImageMasks; own: ImageMasks }[];
  private batchBuf: ImageBatch | undefined;
  /** Staging for the logged steps' loss (recorded into the step's own command buffer, never a stall). */
  private readonly ring: ReadbackRing;

  private constructor(
    readonly gpu: Gpu,
    readonly config: ImageRunConfig,
    readonly data: ImageDataset,
    readonly model: MaeModel,
    private readonly fixed: MaePredictor,
    private readonly masks: PreparedImageMasking,
    private readonly maskArena: Arena,
    readonly plan: ImageMaskPlan,
    fixedPlan: ImageMaskPlan,
  ) {
    this.ring = new ReadbackRing(gpu, 4, 4);
    const t = config.train;
    this.schedule = { peak: t.lr, warmupSteps: t.warmupSteps, totalSteps: t.steps, decay: t.decay };
    const { B, p, L } = model.shape;
    this.evalMasks = Array.from({ length: data.evalSet.B / B }, (_, k) => ({ fixed: imageMasksReference(fixedPlan, B, k), own: imageMasksReference(plan, B, OWN_EVAL_STEP + k) }));
    const fixedMask = new Uint32Array(data.evalSet.B * L);
    this.evalMasks.forEach((m, k) => fixedMask.set(m.fixed.mask, k * B * L));
    const mean = meanPatches(imageRows(data.set, data.train.slice(0, BASELINE_IMAGES)), p, config.mae.normPixLoss);
    this.baselineMse = meanPatchMse(data.evalSet, p, mean, fixedMask, config.mae.normPixLoss);
  }

  /** Builds the model for the data's image size and the strategy's visible count; parameters initialised from the run's seed. */
  static async create(gpu: Gpu, config: ImageRunConfig, data: ImageDataset): Promise<ImageTrainer> {
    const { train, mae, masking } = config;
    const spec = imageStrategyById(masking.strategy);
    if (!spec) throw new Error(`Unknown image masking strategy "${masking.strategy}".`);
    if (!spec.fixedCount) {
      throw new Error(`${spec.name} hides a different number of patches in every image, and the MAE encoder sees a fixed number: choose MAE random or grid masking.`);
    }
    const { H, W, C } = data.set;
    const p = mae.patch;
    if (H % p || W % p) throw new Error(`The patch size ${p} must divide the images' ${H}×${W}: choose ${[2, 4, 7, 14].filter((q) => H % q === 0 && W % q === 0).join(', ')}.`);
    const grid = { gh: H / p, gw: W / p };
    const plan = imageMaskPlan(masking, grid, train.seed);
    const fixedPlan = imageMaskPlan(parseImageMaskingConfig('mae-random', { ratio: IMAGE_EVAL_MASK.ratio }).config!, grid, IMAGE_EVAL_MASK.seed);
    if (data.evalSet.B % train.batch) throw new Error(`The ${data.evalSet.B} eval images are not whole batches of ${train.batch}: use eval batches × batch size images.`);
    const model = await createMaeModel(gpu, config, mae, { H, W, Cimg: C }, plan.keepCount);
    let fixed: MaePredictor | null = null;
    let maskArena: Arena | null = null;
    try {
      model.uploadParams(initMaeParams(model.params, config.model.initStd, train.seed));
      fixed = await createMaePredictor(gpu, model, fixedPlan.keepCount, config.model.layerNormEps);
      const B = train.batch;
      const mp = new ArenaPlan().add(POOLS.acts, 'mask.keep_count', [B], 'u32').add(POOLS.acts, 'mask.table', [Math.max(1, plan.table.length)], 'u32');
      maskArena = await Arena.create(gpu, mp, 'image masks');
      const masks = await prepareImageMasking(
        model.ctx,
        { mask: model.t('mae.mask'), keep: model.t('mae.keep'), keepCount: maskArena.get('mask.keep_count'), ...(plan.table.length ? { table: maskArena.get('mask.table') } : {}) },
        { B },
        plan,
      );
      return new ImageTrainer(gpu, config, data, model, fixed, masks, maskArena, plan, fixedPlan);
    } catch (e) {
      fixed?.destroy();
      maskArena?.destroy();
      model.destroy();
      throw e;
    }
  }

  /** Runs steps up to `until` (exclusive of it), reading the loss every logEvery steps and at the last. */
  async train(until: number): Promise<void> {
    const { batch: B, logEvery } = this.config.train;
    const inFlight: Promise<void>[] = [];
    const reads: Promise<void>[] = [];
    while (this.step < until) {
      const s = this.step;
      this.batchBuf = this.data.batch(s, B, this.batchBuf);
      this.model.uploadImages(this.batchBuf.pixels);
      this.model.setStep(s, learningRate(this.schedule, s));
      this.masks.setStep(s);
      const enc = new StepEncoder(this.gpu, { label: `image step ${s}` });
      this.masks.record(enc);
      this.model.recordTrainStep(enc);
      const read = (s + 1) % logEvery === 0 || s + 1 === until ? enc.readback(this.ring, [this.model.t('mae.loss')]) : null;
      const sub = enc.submit();
      this.step = s + 1;
      if (read) reads.push(read.then(([l]) => void this.losses.push({ step: s, loss: new Float32Array(l!)[0]! })));
      inFlight.push(sub.done());
      if (inFlight.length > MAX_IN_FLIGHT) await inFlight.shift();
    }
    await Promise.all(inFlight);
    await Promise.all(reads);
    this.losses.sort((a, b) => a.step - b.step);
  }

  /** Held-out MSE under the fixed mask and under the run's own, over every eval batch. */
  async evaluate(): Promise<ImageEval> {
    const B = this.config.train.batch;
    const batches = this.evalMasks.length;
    const { H, W, C } = this.data.set;
    const rows = B * H * W * C;
    let fixed = 0;
    let own = 0;
    for (const [k, { fixed: f, own: o }] of this.evalMasks.entries()) {
      const pixels = this.data.evalSet.pixels.subarray(k * rows, (k + 1) * rows);
      this.fixed.uploadImages(pixels);
      this.fixed.uploadMask(f.mask, f.keep);
      this.model.uploadImages(pixels);
      this.model.uploadMask(o.mask, o.keep);
      const enc = new StepEncoder(this.gpu, { label: `image eval ${k}` });
      this.fixed.recordForward(enc);
      this.model.recordForward(enc);
      enc.submit();
      // Every batch hides the same number of patches (fixed-count masks): the mean of batch means is the mean.
      const [lf, lo] = await Promise.all([readF32(this.gpu, this.fixed.t('mae.loss')), readF32(this.gpu, this.model.t('mae.loss'))]);
      fixed += lf[0]!;
      own += lo[0]!;
    }
    const e = { step: this.step, fixedMse: fixed / batches, ownMse: own / batches };
    this.evals.push(e);
    return e;
  }

  destroy(): void {
    this.ring.destroy();
    this.fixed.destroy();
    this.maskArena.destroy();
    this.model.destroy();
  }
}
