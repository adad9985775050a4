// The masked autoencoder (He et al. 2021, facebookresearch/mae models_mae.py) on the GPU, scaled
// down. One training step records, in one encoder:
//   images (B,H,W,Cimg) → patchify → patches (B,L,PD)
//   → patch embedding PD→E on every patch → + 2-D sin-cos positions (B,L,E)
//   → keep the K visible patches (B,K,E) → prepend [CLS] (B,1+K,E)
//   → encoder, L pre-LN blocks + LayerNorm (T = 1+K)
//   → decoder embedding E→Ed (B,1+K,Ed) → unshuffle: visible tokens back at their patches, the
//     mask token elsewhere (B,1+L,Ed) → + decoder positions ([CLS] row 0)
//   → decoder, pre-LN blocks + LayerNorm (T = 1+L) → drop [CLS] (B,L,Ed) → Ed→PD → pred (B,L,PD)
//   → MSE on the masked patches (optionally norm_pix_loss targets)
//   → backward in exact reverse order → grad-norm clip → AdamW.
// Positions are added BEFORE the visible patches are picked, as MAE's forward_encoder does (and
// HF ViTMAEEmbeddings): the patch embedding then runs on all L patches instead of K, a small
// matmul next to the encoder, and the gather's backward hands the positions no gradient (they are
// constants). [CLS] is prepended by the unshuffle op itself (no [CLS] row, L' = 1+K, keep = 1..K,
// "mask token" = mae.cls), so its gradient is the same deterministic sum over the batch.
// What it does not do: draw the masks (the masking stage writes mae.mask and mae.keep, or a test
// uploads them), read images from a data set, schedule the LR, or integrate with the session
// (the objective is not registered yet: no text inputs, no masking-lab tensors, no probes).
import { Arena } from '../../gpu/arena.ts';
import type { Gpu } from '../../gpu/device.ts';
import type { StepEncoder } from '../../gpu/step-encoder.ts';
import type { PreparedOp } from '../../gpu/op-context.ts';
import { sharedMembers, type BertModel } from '../../model/bert.ts';
import type { ModelConfig, TrainConfig } from '../../model/config.ts';
import { planSpecs } from '../../model/layout.ts';
import { prepareMaeUnshuffleBackward, prepareVisibleGatherBackward } from '../../model/ops/mae-tokens.ts';
import { prepareMatmulBackward } from '../../model/ops/matmul.ts';
import { prepareMseBackward } from '../../model/ops/mse.ts';
import { optimizerPass, run, ScratchPlan } from '../../model/passes.ts';
import { opContext } from '../../shaders/index.ts';
import type { MaeConfig } from './config.ts';
import { declareMaeForward, maeOpShapes, prepareMaeForward, writeMaeConstants } from './forward.ts';
import { decOut, encOut, maeShape, maeSpecs, type ImageShape, type MaeShape } from './layout.ts';

/** The parts of BertModel an image model has, plus its own inputs and views. */
export interface MaeModel extends Pick<
  BertModel,
  'arena' | 'ctx' | 'params' | 't' | 'uploadParams' | 'setStep' | 'recordTrainStep' | 'recordClearGrads' | 'recordForward' | 'recordBackward' | 'recordOptimizer' | 'destroy'
> {
  readonly shape: MaeShape;
  readonly mae: MaeConfig;
  /** images (B,H,W,Cimg) f32 in [0,1] for the next recorded step. */
  uploadImages(images: Float32Array): void;
  /** mask (B,L) u32 1 = hidden, keep (B,K) u32 the visible patch indices (the masking stage writes them on the GPU instead). */
  uploadMask(mask: Uint32Array, keep: Uint32Array): void;
  /** The forward without the loss (pred for the reconstruction view). */
  recordPredict(enc: StepEncoder): void;
  readonly views: MaeViews;
}

export interface MaeViews {
  /** Attention (B,NH,T,T) per encoder layer (T = 1+K) and per decoder layer (T = 1+L). */
  encProbs: string[];
  decProbs: string[];
  /** Encoder hidden states (B,1+K,E): each block's output, then the final LayerNorm's. */
  hidden: string[];
  /** (B,L,PD) the patches, the reconstruction (raw, or in normalised units with normPixLoss). */
  patches: string;
  pred: string;
  /** (B,L) per-patch mean squared error (visible patches too), and the mask. */
  losses: string;
  mask: string;
  /** (1) the masked-patch mean: the training loss. */
  loss: string;
}

/**
 * The MAE model for B = cfg.train.batch images of `image`, the encoder cfg.model (L, C, NH, FFN,
 * layerNormEps), the decoder and loss from `mae`. keepCount: the masking plan's visible count K
 * (default: ⌊L(1 − mae.maskRatio)⌋, MAE random's).
 */
export async function createMaeModel(gpu: Gpu, cfg: { model: ModelConfig; train: TrainConfig }, mae: MaeConfig, image: ImageShape, keepCount?: number): Promise<MaeModel> {
  const { model, train } = cfg;
  const eps = model.layerNormEps;
  const s = maeShape(model, mae, cfg.train.batch, image, keepCount);
  const specs = maeSpecs(s);
  const o = maeOpShapes(s);

  // ---- declare (scratch by shape), build the arena, then prepare every op once ----
  // The unshuffles' and the MSE's scratch lives from forward to backward: layout.ts plans it as activations.
  const sp = new ScratchPlan();
  const passes = declareMaeForward(sp, s, eps, false);
  const optP = optimizerPass(sp, gpu, specs, train);
  // Not createModelArena: its allowances (view rings, probes) are sized for text runs.
  const arena = await Arena.create(gpu, planSpecs(specs, sp.specs), 'mae');
  const ctx = opContext(gpu);
  const t = (n: string) => arena.get(n);
  const fwd = await prepareMaeForward(ctx, arena, s, mae, passes);
  const opt = await optP(ctx, arena);
  const mseScratch = [t('mae.mse.stats'), t('mae.mse.count')];
  // Backward, in exact reverse order of the forward. The position adds are identities for the
  // gradient, so the ops around them read and write the same gradient tensor (d:dec.x, d:mae.tokens).
  const lossBwd = await prepareMseBackward(ctx, { pred: t('mae.pred'), target: t('mae.patches'), mask: t('mae.mask'), dpred: t('d:mae.pred'), scratch: mseScratch }, o.mse);
  const dropClsBwd = await prepareVisibleGatherBackward(ctx, { dout: t('d:dec.rows'), keep: t('mae.patch_rows'), ones: t('mae.ones_l'), dx: t(`d:${decOut(s)}`) }, o.rows);
  const unshuffleBwd = await prepareMaeUnshuffleBackward(
    ctx,
    { dfull: t('d:dec.x'), keep: t('mae.keep'), denc: t('d:dec.embed.out'), dmaskToken: t('d:dec.mask_token'), scratch: [t('dec.slot')] },
    o.unshuffle,
  );
  const encoderInBwd: PreparedOp[] = [
    await prepareMaeUnshuffleBackward(ctx, { dfull: t('d:enc.x'), keep: t('mae.cls_slots'), denc: t('d:mae.visible'), dmaskToken: t('d:mae.cls'), scratch: [t('mae.cls.slot')] }, o.prepend),
    await prepareVisibleGatherBackward(ctx, { dout: t('d:mae.visible'), keep: t('mae.keep'), ones: t('mae.ones_k'), dx: t('d:mae.tokens') }, o.tokens),
    // The patches are data: no dinp.
    await prepareMatmulBackward(ctx, { inp: t('mae.patches'), weight: t('mae.patch.w'), dout: t('d:mae.tokens'), dweight: t('d:mae.patch.w'), dbias: t('d:mae.patch.b') }, o.patchMm),
  ];
  writeMaeConstants(arena, s);

  // sharedMembers' recordTrainStep calls only the four record members a MaeModel has.
  const shared = sharedMembers(arena, ctx, specs.params, opt, () => m);
  const m: MaeModel = {
    arena: shared.arena,
    ctx: shared.ctx,
    params: shared.params,
    t: shared.t,
    uploadParams: shared.uploadParams,
    recordClearGrads: shared.recordClearGrads,
    recordOptimizer: shared.recordOptimizer,
    recordTrainStep: shared.recordTrainStep,
    destroy: shared.destroy,
    shape: s,
    mae,
    views: {
      encProbs: Array.from({ length: s.enc.L }, (_, l) => `enc.l${l}.probs`),
      decProbs: Array.from({ length: s.dec.L }, (_, l) => `dec.l${l}.probs`),
      hidden: [...Array.from({ length: s.enc.L }, (_, l) => `enc.l${l}.res2`), encOut(s)],
      patches: 'mae.patches',
      pred: 'mae.pred',
      losses: 'mae.losses',
      mask: 'mae.mask',
      loss: 'mae.loss',
    },
    uploadImages(images) {
      arena.write('mae.images', images);
    },
    uploadMask(mask, keep) {
      arena.write('mae.mask', mask);
      arena.write('mae.keep', keep);
    },
    setStep(step, lr) {
      opt.setStep(step + 1, lr);
    },
    recordPredict: (e) => fwd.recordPredict(e),
    recordForward(e) {
      fwd.recordPredict(e);
      fwd.loss.record(e);
    },
    recordBackward(e) {
      lossBwd.record(e);
      run(fwd.pred.bwd, e);
      dropClsBwd.record(e);
      run(fwd.dec.bwd, e);
      unshuffleBwd.record(e);
      run(fwd.embed.bwd, e);
      run(fwd.enc.bwd, e);
      run(encoderInBwd, e);
    },
  };
  return m;
}
