// The masked autoencoder's own options (MaeConfig): the patch size, the light decoder, the loss
// target and the mask ratio, with defaults sized for 28×28 grey images (MNIST, shapes). The
// encoder is the run's model (ModelConfig L, C, NH, FFN), as the text objectives' encoders are.
// The parameters are also written as registry data (MAE_PARAMS, the ObjectiveParam shape of
// types.ts), so the objective registry can carry them when the objective is registered; until
// then maeConfigOf reads a parameter block the way objectiveParams would.
// Pure data: no GPU, no model code (spec-like; every layer may read it).
// Not here: the image masks themselves (src/masking/image*.ts), shapes derived from an image size
// (layout.ts), registering the objective (src/objectives/registry.ts, the lead's integration).
import type { ObjectiveParam, ObjectiveParamValues } from '../types.ts';

export interface MaeConfig {
  /** Patch side p in pixels; must divide the image height and width (L = (H/p)·(W/p) patches). */
  patch: number;
  /** Decoder width Ed (MAE: decoder_embed_dim 512); a multiple of 4 (2-D sin-cos positions) and of decoderHeads. */
  decoderWidth: number;
  /** Decoder pre-LN blocks (MAE: decoder_depth 8). */
  decoderLayers: number;
  /** Decoder attention heads (MAE: decoder_num_heads 16). */
  decoderHeads: number;
  /** Decoder feed-forward width (MAE: mlp_ratio 4 · Ed). */
  decoderFfn: number;
  /** Targets are each patch normalised by its own mean and unbiased variance (MAE's norm_pix_loss). */
  normPixLoss: boolean;
  /** Share r of the patches hidden from the encoder; K = ⌊L(1 − r)⌋ stay visible (MAE: 0.75). */
  maskRatio: number;
}

/**
 * Defaults for 28×28 grey images: p = 4 gives a 7×7 grid (L = 49, PD = 16) and K = 12 visible
 * patches at r = 0.75. Decoder 32 wide, 1 block, 2 heads, 4× feed-forward: MAE's "light decoder"
 * scaled like its encoder. normPixLoss off is main_pretrain.py's default (the paper's best runs
 * turn it on); on MNIST most patches are flat black, which norm_pix_loss maps to 0 targets.
 */
export const DEFAULT_MAE: Readonly<MaeConfig> = {
  patch: 4,
  decoderWidth: 32,
  decoderLayers: 1,
  decoderHeads: 2,
  decoderFfn: 128,
  normPixLoss: false,
  maskRatio: 0.75,
};

/** The options as the registry's parameter data (setup fields, CLI flags, URL keys, validation). */
export const MAE_PARAMS: readonly ObjectiveParam[] = [
  { key: 'patch', kind: 'number', label: 'patch size p', help: 'Patch side in pixels; must divide the image size (28×28: 2, 4, 7, 14).', default: DEFAULT_MAE.patch, min: 1, max: 32, flag: 'patch' },
  { key: 'maskRatio', kind: 'number', label: 'mask ratio r', help: 'Share of the patches hidden from the encoder; the decoder reconstructs them.', default: DEFAULT_MAE.maskRatio, min: 0.05, max: 0.95, flag: 'mae-ratio' },
  { key: 'decoderWidth', kind: 'number', label: 'decoder width', help: 'Width of the light decoder (a multiple of 4 and of its heads).', default: DEFAULT_MAE.decoderWidth, min: 4, max: 512, flag: 'dec-width' },
  { key: 'decoderLayers', kind: 'number', label: 'decoder layers', help: 'Pre-LN transformer blocks in the decoder.', default: DEFAULT_MAE.decoderLayers, min: 1, max: 8, flag: 'dec-layers' },
  { key: 'decoderHeads', kind: 'number', label: 'decoder heads', help: 'Attention heads in each decoder block.', default: DEFAULT_MAE.decoderHeads, min: 1, max: 16, flag: 'dec-heads' },
  { key: 'decoderFfn', kind: 'number', label: 'decoder feed-forward', help: 'Feed-forward width of each decoder block.', default: DEFAULT_MAE.decoderFfn, min: 4, max: 2048, flag: 'dec-ffn' },
  {
    key: 'normPixLoss',
    kind: 'flag',
    label: 'normalised pixel targets',
    help: 'Reconstruct each patch normalised by its own mean and variance (MAE norm_pix_loss).',
    default: DEFAULT_MAE.normPixLoss,
    on: 'norm-pix',
    off: 'raw-pix',
    onHelp: 'targets are per-patch normalised pixels',
    offHelp: 'targets are the pixels as they are',
  },
];

/** A parameter block (defaults filled in for missing keys) as a typed MaeConfig. */
export function maeConfigOf(values: ObjectiveParamValues = {}): MaeConfig {
  const num = (k: keyof MaeConfig) => (typeof values[k] === 'number' ? (values[k] as number) : (DEFAULT_MAE[k] as number));
  return {
    patch: num('patch'),
    decoderWidth: num('decoderWidth'),
    decoderLayers: num('decoderLayers'),
    decoderHeads: num('decoderHeads'),
    decoderFfn: num('decoderFfn'),
    normPixLoss: typeof values.normPixLoss === 'boolean' ? values.normPixLoss : DEFAULT_MAE.normPixLoss,
    maskRatio: num('maskRatio'),
  };
}
