// The masked-image views as pixels: an image, its masked input, the model's reconstruction with
// the visible patches pasted back (the MAE paper's figures), and a per-patch error heatmap, each
// as RGBA bytes (H·s, W·s, 4) that a component puts on a canvas with putImageData. Images are
// (H,W,C) f32 in [0, 1] (C = 1 grey or 3 RGB); patches are p×p on a gh×gw grid, row-major.
// Pure: arrays in, bytes out; no canvas, no DOM, so the pixel rules are unit-tested in Node.
// Not here: where the arrays come from (the engine reads them back) or laying panels out.
import { color } from 'd3';
import { heat } from '../palette.ts';

export interface ImageShape {
  H: number;
  W: number;
  C: number;
  /** Patch size: H and W are multiples of it. */
  p: number;
}

/** Hidden patches in the masked input: a mid grey, as in the MAE paper's figures. */
export const HIDDEN_GREY = 0.5;

/** RGBA (H·scale, W·scale, 4) of an image (H,W,C) in [0,1]; values outside are clamped. */
export function imageRgba(img: ArrayLike<number>, s: ImageShape, scale = 1): Uint8ClampedArray {
  return paint(s, scale, (y, x) => pixel(img, s, y, x));
}

/** The masked input: visible patches as they are, hidden patches (mask[l] ≠ 0) grey. */
export function maskedRgba(img: ArrayLike<number>, mask: ArrayLike<number>, s: ImageShape, scale = 1): Uint8ClampedArray {
  return paint(s, scale, (y, x) => (mask[patchOf(s, y, x)] ? [HIDDEN_GREY, HIDDEN_GREY, HIDDEN_GREY] : pixel(img, s, y, x)));
}

/** Reconstruction with the visible patches pasted back: original where visible, recon where hidden. */
export function pastedRgba(img: ArrayLike<number>, recon: ArrayLike<number>, mask: ArrayLike<number>, s: ImageShape, scale = 1): Uint8ClampedArray {
  return paint(s, scale, (y, x) => pixel(mask[patchOf(s, y, x)] ? recon : img, s, y, x));
}

/**
 * Per-patch error (L) as a heatmap at the image's size: each patch one colour of the shared heat
 * ramp, error / max (max: the largest error given, so the worst patch is brightest; pass a fixed
 * max to compare images). Visible patches (mask 0) are drawn dark: the loss does not read them.
 */
export function patchErrorRgba(errors: ArrayLike<number>, mask: ArrayLike<number>, s: ImageShape, scale = 1, max?: number): Uint8ClampedArray {
  const L = (s.H / s.p) * (s.W / s.p);
  let top = max ?? 0;
  if (max === undefined) for (let l = 0; l < L; l++) if (mask[l]) top = Math.max(top, errors[l]!);
  const cols = Array.from({ length: L }, (_, l) => {
    if (!mask[l]) return [0.08, 0.08, 0.08];
    const c = color(heat(top > 0 ? errors[l]! / top : 0))!.rgb();
    return [c.r / 255, c.g / 255, c.b / 255];
  });
  return paint(s, scale, (y, x) => cols[patchOf(s, y, x)]!);
}

function patchOf(s: ImageShape, y: number, x: number): number {
  return Math.floor(y / s.p) * (s.W / s.p) + Math.floor(x / s.p);
}

function pixel(img: ArrayLike<number>, s: ImageShape, y: number, x: number): number[] {
  const o = (y * s.W + x) * s.C;
  return s.C === 1 ? [img[o]!, img[o]!, img[o]!] : [img[o]!, img[o + 1]!, img[o + 2]!];
}

function paint(s: ImageShape, scale: number, at: (y: number, x: number) => number[]): Uint8ClampedArray {
  if (s.H % s.p || s.W % s.p) throw new Error(`image panels: patch size ${s.p} must divide the image size ${s.H}×${s.W}.`);
  if (s.C !== 1 && s.C !== 3) throw new Error(`image panels: ${s.C} channels; images are grey (1) or RGB (3).`);
  if (!Number.isInteger(scale) || scale < 1) throw new Error(`image panels: scale ${scale} must be a whole number ≥ 1.`);
  const w = s.W * scale;
  const out = new Uint8ClampedArray(s.H * scale * w * 4);
  for (let y = 0; y < s.H; y++) {
    for (let x = 0; x < s.W; x++) {
      const [r, g, b] = at(y, x);
      for (let dy = 0; dy < scale; dy++) {
        for (let dx = 0; dx < scale; dx++) {
          const o = ((y * scale + dy) * w + x * scale + dx) * 4;
          out[o] = r! * 255; // Uint8ClampedArray rounds and clamps
          out[o + 1] = g! * 255;
          out[o + 2] = b! * 255;
          out[o + 3] = 255;
        }
      }
    }
  }
  return out;
}
