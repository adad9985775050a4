// The masked autoencoder's tensors (model.ts): shapes derived from the image and the configs
// (MaeShape), the parameters (names chosen to map one to one onto Hugging Face
// ViTMAEForPreTraining), the activations of one step in forward order, their gradients, and the
// parameters' initial values (MAE's small normal init of [CLS] and the mask token).
// Dims: B images of H×W×Cimg, patch p, L = (H/p)(W/p) patches of PD = p·p·Cimg values, K of them
// visible, encoder width E (= the run's C), decoder width Ed.
// Not here: kernel scratch (the passes declare it), allocation, or choosing the mask.
import type { ModelConfig } from '../../model/config.ts';
import { initSpecs, nameStream } from '../../model/init.ts';
import { f32Tensor as f, gradTensor as d, joinParts, plainParam, u32Tensor as u, weightParam, type EncoderDims, type ModelSpecs, type ParamSpec, type TensorSpec } from '../../model/layout.ts';
import { prelnLayerActs, prelnLayerGradSpecs, prelnLayerParams, prelnOutput } from '../../model/preln-layers.ts';
import { Rng } from '../../data/prng.ts';
import { maeKeepCount } from '../../masking/image-tables.ts';
import type { MaeConfig } from './config.ts';

/** The images a run trains on: height, width, channels (28×28×1 for MNIST). */
export interface ImageShape {
  H: number;
  W: number;
  Cimg: number;
}

/** Every size the MAE model is built from. */
export interface MaeShape extends ImageShape {
  B: number;
  p: number;
  gh: number;
  gw: number;
  L: number;
  /** Visible patches per image (the same for every image: MAE random, grid with a fixed offset). */
  K: number;
  PD: number;
  E: number;
  Ed: number;
  enc: EncoderDims;
  dec: EncoderDims;
}

/**
 * The shape for B images of `image` under `mae`, the encoder the run's model. K is the masking
 * plan's keepCount when given (it decides), else MAE random's count for mae.maskRatio. Throws one
 * message listing every problem.
 */
export function maeShape(model: Pick<ModelConfig, 'L' | 'C' | 'NH' | 'FFN'>, mae: MaeConfig, B: number, image: ImageShape, keepCount?: number): MaeShape {
  const { H, W, Cimg } = image;
  const p = mae.patch;
  const problems: string[] = [];
  if (!Number.isInteger(p) || p < 1 || H % p !== 0 || W % p !== 0) problems.push(`the patch size ${p} must divide the image height ${H} and width ${W}`);
  const gh = Math.floor(H / p);
  const gw = Math.floor(W / p);
  const L = gh * gw;
  const K = keepCount ?? maeKeepCount(L, mae.maskRatio);
  if (!(K >= 1 && K <= L)) problems.push(`the visible patch count K = ${K} must be between 1 and L = ${L}`);
  const E = model.C;
  const Ed = mae.decoderWidth;
  // The 2-D sin-cos table splits a width into 4 (sin, cos for rows and columns).
  if (E % 4 !== 0) problems.push(`the encoder width C = ${E} must be a multiple of 4 (2-D sin-cos positions)`);
  if (Ed % 4 !== 0) problems.push(`the decoder width ${Ed} must be a multiple of 4 (2-D sin-cos positions)`);
  if (Ed % mae.decoderHeads !== 0) problems.push(`the decoder width ${Ed} must be a multiple of its ${mae.decoderHeads} heads`);
  if (mae.normPixLoss && p * p * Cimg < 2) problems.push('normalised pixel targets need at least 2 values per patch');
  if (problems.length) throw new Error(`MAE model: ${problems.join('; ')}.`);
  return {
    B,
    H,
    W,
    Cimg,
    p,
    gh,
    gw,
    L,
    K,
    PD: p * p * Cimg,
    E,
    Ed,
    enc: { L: model.L, C: E, NH: model.NH, FFN: model.FFN },
    dec: { L: mae.decoderLayers, C: Ed, NH: mae.decoderHeads, FFN: mae.decoderFfn },
  };
}

/** Parameters initialised N(0, 0.02) whatever the run's initStd (MAE: torch.nn.init.normal_(std=.02)). */
export const MAE_TOKEN_PARAMS = ['mae.cls', 'dec.mask_token'] as const;
const TOKEN_STD = 0.02;

/**
 * Weights first (weight decay), then biases and LayerNorms. [CLS] and the mask token are decayed,
 * as MAE's pretraining does (timm add_weight_decay skips only 1-D tensors and biases, and MAE
 * keeps them as (1,1,E)).
 *   mae.patch.w (E,PD) .b (E)   patch embedding (HF: a Conv2d (E,Cimg,p,p); PD is ordered (p,p,Cimg))
 *   mae.cls (E)                 [CLS], position zero
 *   enc.l{l}.… enc.norm.*       encoder, pre-LN, final LayerNorm
 *   dec.embed.w (Ed,E) .b (Ed)  encoder width → decoder width
 *   dec.mask_token (Ed)
 *   dec.l{l}.… dec.norm.*       decoder, pre-LN, final LayerNorm
 *   dec.pred.w (PD,Ed) .b (PD)  pixels of each patch
 */
export function maeParams(s: MaeShape): ParamSpec[] {
  const { E, Ed, PD } = s;
  return joinParts([
    { decayed: [weightParam('mae.patch.w', [E, PD]), weightParam('mae.cls', [E])], plain: [plainParam('mae.patch.b', [E])] },
    prelnLayerParams('enc.', s.enc, true),
    { decayed: [weightParam('dec.embed.w', [Ed, E]), weightParam('dec.mask_token', [Ed])], plain: [plainParam('dec.embed.b', [Ed])] },
    prelnLayerParams('dec.', s.dec, true),
    { decayed: [weightParam('dec.pred.w', [PD, Ed])], plain: [plainParam('dec.pred.b', [PD])] },
  ]);
}

/** The encoder's and the decoder's outputs (their final LayerNorms), (B,1+K,E) and (B,1+L,Ed). */
export const encOut = (s: MaeShape): string => prelnOutput('enc.', s.enc, true);
export const decOut = (s: MaeShape): string => prelnOutput('dec.', s.dec, true);

/**
 * Inputs, constants written once at build, and one step's activations, in forward order.
 * Constants live with the activations: nothing writes them after the build, and clearing the
 * gradients never touches them.
 */
function maeActs(s: MaeShape): TensorSpec[] {
  const { B, H, W, Cimg, L, K, PD, E, Ed } = s;
  return [
    // Per step: the images, and the mask (1 = hidden) with its visible list (increasing patch order).
    f('mae.images', [B, H, W, Cimg]),
    u('mae.mask', [B, L]),
    u('mae.keep', [B, K]),
    // Constants. Position tables repeated per image, so one elementwise add covers the batch.
    f('mae.enc_pos', [B, L, E]),
    f('mae.dec_pos', [B, 1 + L, Ed]), // row 0 ([CLS]) zeros
    u('mae.cls_slots', [B, K]), // 1 + k: where the unshuffle puts visible token k after [CLS]
    f('mae.ones_k', [B, K]), // the visible gather's backward weights
    u('mae.patch_rows', [B, L]), // 1 + l: the decoder rows that are patches (drops [CLS])
    f('mae.ones_l', [B, L]),
    u('enc.attn_mask', [B, 1 + K]), // every token attends to every token: all ones
    u('dec.attn_mask', [B, 1 + L]),
    // Encoder input.
    f('mae.patches', [B, L, PD]), // also the loss target
    f('mae.patch.out', [B, L, E]),
    f('mae.tokens', [B, L, E]), // + positions
    f('mae.visible', [B, K, E]),
    u('mae.cls.slot', [B, 1 + K]), // the [CLS]-prepend unshuffle's slot table: forward → backward
    f('enc.x', [B, 1 + K, E]),
    ...prelnLayerActs('enc.', s.enc, B, 1 + K, true),
    // Decoder.
    f('dec.embed.out', [B, 1 + K, Ed]),
    u('dec.slot', [B, L]), // the unshuffle's slot table: forward → backward
    f('dec.full', [B, 1 + L, Ed]),
    f('dec.x', [B, 1 + L, Ed]),
    ...prelnLayerActs('dec.', s.dec, B, 1 + L, true),
    f('dec.rows', [B, L, Ed]),
    f('mae.pred', [B, L, PD]),
    // Loss: the per-patch error map (B,L), the masked mean, and the MSE's forward → backward state.
    f('mae.losses', [B, L]),
    f('mae.loss', [1]),
    f('mae.mse.stats', [B, L, 2]),
    f('mae.mse.count', [1]),
    f('gradnorm', [4]),
  ];
}

/** Gradients backward propagates through (zeroed each step). Inputs and constants get none. */
function maeGrads(s: MaeShape): TensorSpec[] {
  const { B, L, K, PD, E, Ed } = s;
  return [
    d('mae.tokens', [B, L, E]),
    d('mae.visible', [B, K, E]),
    d('enc.x', [B, 1 + K, E]),
    ...prelnLayerGradSpecs('enc.', s.enc, B, 1 + K, true),
    d('dec.embed.out', [B, 1 + K, Ed]),
    d('dec.x', [B, 1 + L, Ed]),
    ...prelnLayerGradSpecs('dec.', s.dec, B, 1 + L, true),
    d('dec.rows', [B, L, Ed]),
    d('mae.pred', [B, L, PD]), // written (not accumulated) by the MSE's backward
  ];
}

export function maeSpecs(s: MaeShape): ModelSpecs {
  return { params: maeParams(s), acts: maeActs(s), dacts: maeGrads(s) };
}

/**
 * Initial values: the project's N(0, initStd) weights, zero biases, unit LayerNorm weights
 * (model/init.ts), then [CLS] and the mask token redrawn N(0, 0.02) as MAE draws them. MAE
 * itself initialises every Linear (and the patch embedding, as a flattened Linear) with
 * xavier_uniform; normal(initStd) keeps every objective's init the same and comparable.
 */
export function initMaeParams(params: ParamSpec[], initStd: number, seed: number): Map<string, Float32Array> {
  const out = initSpecs(params, initStd, seed);
  for (const name of MAE_TOKEN_PARAMS) {
    const a = out.get(name)!;
    const rng = new Rng(seed, nameStream(name));
    for (let i = 0; i < a.length; i++) a[i] = TOKEN_STD * rng.normal();
  }
  return out;
}
