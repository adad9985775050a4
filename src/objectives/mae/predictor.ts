// A forward-only MAE plan for another visible count K (and its own inputs), reading the training
// model's parameters in place: the held-out score under the fixed, seed-frozen 75% random mask
// whatever ratio the run trains with (a run at 50% keeps 24 of 49 patches, the fixed mask 12),
// and the reconstruction views. Its arena holds only inputs, constants, activations and the
// forward's scratch: a few hundred KB at the micro sizes.
// What it does not do: train, or copy parameters (it always sees the current ones).
import { Arena, ArenaPlan } from '../../gpu/arena.ts';
import type { Gpu } from '../../gpu/device.ts';
import type { StepEncoder } from '../../gpu/step-encoder.ts';
import { POOLS } from '../../model/layout.ts';
import { ScratchPlan, type TensorSource } from '../../model/passes.ts';
import type { TensorRange } from '../../gpu/arena.ts';
import { declareMaeForward, prepareMaeForward, writeMaeConstants } from './forward.ts';
import { maeShape, maeSpecs, type MaeShape } from './layout.ts';
import type { MaeModel } from './model.ts';

export interface MaePredictor {
  readonly shape: MaeShape;
  t(name: string): TensorRange;
  uploadImages(images: Float32Array): void;
  /** mask (B,L) u32 1 = hidden, keep (B,K) the visible patches in increasing order. */
  uploadMask(mask: Uint32Array, keep: Uint32Array): void;
  /** images → mae.pred (B,L,PD). */
  recordPredict(enc: StepEncoder): void;
  /** … and the masked-patch MSE: mae.losses (B,L), mae.loss (1). */
  recordForward(enc: StepEncoder): void;
  destroy(): void;
}

/** The forward of `model` at the same batch and image size with K visible patches. */
export async function createMaePredictor(gpu: Gpu, model: MaeModel, K: number, eps: number): Promise<MaePredictor> {
  const m = model.shape;
  const s = maeShape({ L: m.enc.L, C: m.E, NH: m.enc.NH, FFN: m.enc.FFN }, model.mae, m.B, { H: m.H, W: m.W, Cimg: m.Cimg }, K);
  const sp = new ScratchPlan();
  const passes = declareMaeForward(sp, s, eps, true);
  const plan = new ArenaPlan();
  for (const a of [...maeSpecs(s).acts, ...sp.specs]) plan.add(POOLS.acts, a.name, a.shape, a.dtype);
  const own = await Arena.create(gpu, plan, 'mae predictor');
  const source: TensorSource = { get: (name) => (own.has(name) ? own.get(name) : model.arena.get(name)) };
  try {
    const fwd = await prepareMaeForward(model.ctx, source, s, model.mae, passes);
    writeMaeConstants(own, s);
    return {
      shape: s,
      t: (name) => source.get(name),
      uploadImages: (images) => own.write('mae.images', images),
      uploadMask(mask, keep) {
        own.write('mae.mask', mask);
        own.write('mae.keep', keep);
      },
      recordPredict: (e) => fwd.recordPredict(e),
      recordForward(e) {
        fwd.recordPredict(e);
        fwd.loss.record(e);
      },
      destroy: () => own.destroy(),
    };
  } catch (e) {
    own.destroy();
    throw e;
  }
}
