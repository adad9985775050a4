// The MAE's forward plan over any tensor source: declared once per shape (its scratch), then
// prepared on an arena — the training model's own (model.ts), or a predictor's small arena that
// reads the training parameters in place (predictor.ts: the fixed 75% eval mask needs another K
// than a run at 50% trains with, and the views need the forward alone).
// Also the constants every plan writes once (position tables, index lists, all-ones masks).
// Not here: the backward (model.ts), the optimizer, masks or images.
import type { Arena } from '../../gpu/arena.ts';
import type { OpContext, PreparedOp } from '../../gpu/op-context.ts';
import type { StepEncoder } from '../../gpu/step-encoder.ts';
import { prepareAxpby } from '../../model/ops/elementwise.ts';
import { prepareMaeUnshuffleForward, prepareVisibleGatherForward } from '../../model/ops/mae-tokens.ts';
import { prepareMatmulForward } from '../../model/ops/matmul.ts';
import { prepareMseForward } from '../../model/ops/mse.ts';
import { preparePatchify } from '../../model/ops/patchify.ts';
import { linearPass, run, type Pass, type Prepare, type ScratchPlan, type TensorSource } from '../../model/passes.ts';
import { prelnLayersPass } from '../../model/preln-layers.ts';
import type { MaeConfig } from './config.ts';
import { decOut, encOut, type MaeShape } from './layout.ts';
import { repeatRows, sincosPosEmbed2d } from './pos-embed.ts';

/** Op shapes of one plan (the backward in model.ts uses the same). */
export function maeOpShapes(s: MaeShape) {
  const { B, L, K, PD, E, Ed } = s;
  return {
    patchMm: { M: B * L, K: PD, N: E },
    tokens: { B, L, K, C: E },
    prepend: { B, L: 1 + K, K, C: E, cls: 0 as const },
    unshuffle: { B, L, K, C: Ed, cls: 1 as const },
    rows: { B, L: 1 + L, K: L, C: Ed },
    mse: { B, L, PD },
  };
}

export interface MaeForwardPasses {
  enc: Prepare<Pass>;
  embed: Prepare<Pass>;
  dec: Prepare<Pass>;
  pred: Prepare<Pass>;
}

/** Declares the stacks and linear layers (their scratch goes into sp). */
export function declareMaeForward(sp: ScratchPlan, s: MaeShape, eps: number, forwardOnly: boolean): MaeForwardPasses {
  const { B, K, L, E, Ed, PD } = s;
  return {
    enc: prelnLayersPass(sp, { prefix: 'enc.', dims: s.enc, B, T: 1 + K, eps, x: 'enc.x', dx: 'd:enc.x', mask: 'enc.attn_mask', finalNorm: true, forwardOnly }),
    embed: linearPass(sp, { w: 'dec.embed.w', b: 'dec.embed.b', x: encOut(s), out: 'dec.embed.out', M: B * (1 + K), K: E, N: Ed, forwardOnly }),
    dec: prelnLayersPass(sp, { prefix: 'dec.', dims: s.dec, B, T: 1 + L, eps, x: 'dec.x', dx: 'd:dec.x', mask: 'dec.attn_mask', finalNorm: true, forwardOnly }),
    pred: linearPass(sp, { w: 'dec.pred.w', b: 'dec.pred.b', x: 'dec.rows', out: 'mae.pred', M: B * L, K: Ed, N: PD, forwardOnly }),
  };
}

/** A prepared forward: the stacks' passes (their backward too, unless forward-only) and the loss. */
export interface MaeForward {
  enc: Pass;
  embed: Pass;
  dec: Pass;
  pred: Pass;
  /** images → pred (B,L,PD), no loss. */
  recordPredict(e: StepEncoder): void;
  /** The masked-patch MSE of pred: mae.losses (B,L), mae.loss (1). */
  loss: PreparedOp;
}

export async function prepareMaeForward(ctx: OpContext, source: TensorSource, s: MaeShape, mae: MaeConfig, passes: MaeForwardPasses): Promise<MaeForward> {
  const t = (n: string) => source.get(n);
  const o = maeOpShapes(s);
  const enc = await passes.enc(ctx, source);
  const embed = await passes.embed(ctx, source);
  const dec = await passes.dec(ctx, source);
  const pred = await passes.pred(ctx, source);
  const encoderIn: PreparedOp[] = [
    await preparePatchify(ctx, { images: t('mae.images'), patches: t('mae.patches') }, { B: s.B, H: s.H, W: s.W, Cimg: s.Cimg, p: s.p }),
    await prepareMatmulForward(ctx, { inp: t('mae.patches'), weight: t('mae.patch.w'), bias: t('mae.patch.b'), out: t('mae.patch.out') }, o.patchMm),
    await prepareAxpby(ctx, t('mae.patch.out'), t('mae.enc_pos'), t('mae.tokens'), 1, 1),
    await prepareVisibleGatherForward(ctx, { x: t('mae.tokens'), keep: t('mae.keep'), out: t('mae.visible') }, o.tokens),
    await prepareMaeUnshuffleForward(ctx, { enc: t('mae.visible'), keep: t('mae.cls_slots'), maskToken: t('mae.cls'), full: t('enc.x'), scratch: [t('mae.cls.slot')] }, o.prepend),
  ];
  const decoderIn: PreparedOp[] = [
    await prepareMaeUnshuffleForward(ctx, { enc: t('dec.embed.out'), keep: t('mae.keep'), maskToken: t('dec.mask_token'), full: t('dec.full'), scratch: [t('dec.slot')] }, o.unshuffle),
    await prepareAxpby(ctx, t('dec.full'), t('mae.dec_pos'), t('dec.x'), 1, 1),
  ];
  const dropCls = await prepareVisibleGatherForward(ctx, { x: t(decOut(s)), keep: t('mae.patch_rows'), out: t('dec.rows') }, o.rows);
  const loss = await prepareMseForward(
    ctx,
    { pred: t('mae.pred'), target: t('mae.patches'), mask: t('mae.mask'), losses: t('mae.losses'), loss: t('mae.loss'), scratch: [t('mae.mse.stats'), t('mae.mse.count')] },
    o.mse,
    { normPixLoss: mae.normPixLoss },
  );
  return {
    enc,
    embed,
    dec,
    pred,
    loss,
    recordPredict(e) {
      run(encoderIn, e);
      run(enc.fwd, e);
      run(embed.fwd, e);
      run(decoderIn, e);
      run(dec.fwd, e);
      dropCls.record(e);
      run(pred.fwd, e);
    },
  };
}

/** Constants written once: position tables, index lists, all-ones attention masks and weights. */
export function writeMaeConstants(arena: Pick<Arena, 'write'>, s: MaeShape): void {
  const { B, gh, gw, L, K, E, Ed } = s;
  arena.write('mae.enc_pos', repeatRows(sincosPosEmbed2d(E, gh, gw), B));
  arena.write('mae.dec_pos', repeatRows(sincosPosEmbed2d(Ed, gh, gw, 1), B));
  arena.write('mae.cls_slots', Uint32Array.from({ length: B * K }, (_, i) => 1 + (i % K)));
  arena.write('mae.patch_rows', Uint32Array.from({ length: B * L }, (_, i) => 1 + (i % L)));
  arena.write('mae.ones_k', new Float32Array(B * K).fill(1));
  arena.write('mae.ones_l', new Float32Array(B * L).fill(1));
  arena.write('enc.attn_mask', new Uint32Array(B * (1 + K)).fill(1));
  arena.write('dec.attn_mask', new Uint32Array(B * (1 + L)).fill(1));
}
