import { describe, expect, it } from 'vitest';
import { imageMaskGallery } from '../../masking/image-gallery.ts';
import { HIDDEN_GREY, imageRgba, maskedRgba, pastedRgba, patchErrorRgba } from './image-panels.ts';

// A 4×4 grey image with patch 2 (2×2 grid): pixel value = (y·4 + x) / 16.
const s = { H: 4, W: 4, C: 1, p: 2 };
const img = Float32Array.from({ length: 16 }, (_, i) => i / 16);
const recon = new Float32Array(16).fill(1);
const mask = [0, 1, 1, 0]; // patches: 0 top-left, 1 top-right, 2 bottom-left, 3 bottom-right
const at = (rgba: Uint8ClampedArray, y: number, x: number, w = 4) => Array.from(rgba.subarray((y * w + x) * 4, (y * w + x) * 4 + 4));

describe('image panels', () => {
  it('draws a grey image as opaque RGBA, scaled by whole pixels', () => {
    const out = imageRgba(img, s);
    expect(at(out, 1, 2)).toEqual([Math.round((6 / 16) * 255), Math.round((6 / 16) * 255), Math.round((6 / 16) * 255), 255]);
    const big = imageRgba(img, s, 3);
    expect(big.length).toBe(12 * 12 * 4);
    expect(at(big, 5, 8, 12)).toEqual(at(out, 1, 2)); // (5, 8) / 3 = (1, 2)
  });

  it('greys out hidden patches in the masked input and pastes the reconstruction only there', () => {
    const masked = maskedRgba(img, mask, s);
    const grey = Math.round(HIDDEN_GREY * 255);
    expect(at(masked, 0, 3)).toEqual([grey, grey, grey, 255]); // patch 1: hidden
    expect(at(masked, 3, 3)).toEqual(at(imageRgba(img, s), 3, 3)); // patch 3: visible
    const pasted = pastedRgba(img, recon, mask, s);
    expect(at(pasted, 2, 0)).toEqual([255, 255, 255, 255]); // patch 2 hidden → recon (1)
    expect(at(pasted, 0, 0)).toEqual(at(imageRgba(img, s), 0, 0)); // patch 0 visible → original
  });

  it('colours hidden patches by their error (the worst brightest) and leaves visible ones dark', () => {
    const heat = patchErrorRgba([5, 0.1, 0.4, 9], mask, s);
    const bright = at(heat, 2, 0); // patch 2 (0.4, the largest hidden error)
    const dim = at(heat, 0, 2); // patch 1 (0.1)
    expect(bright.slice(0, 3).reduce((a, v) => a + v)).toBeGreaterThan(dim.slice(0, 3).reduce((a, v) => a + v));
    expect(at(heat, 3, 3)).toEqual(at(heat, 0, 0)); // visible patches 0 and 3: the same dark, whatever their error
  });

  it('refuses shapes it cannot draw, saying what is wrong', () => {
    expect(() => imageRgba(img, { ...s, p: 3 })).toThrow('patch size 3 must divide the image size 4×4');
    expect(() => imageRgba(img, { ...s, C: 2 })).toThrow('2 channels');
  });
});

describe('mask gallery', () => {
  it('gives every image strategy’s mask at the ratio asked; grid says it ignores the ratio', () => {
    const g = imageMaskGallery({ gh: 7, gw: 7 }, 0.75, 1, 0);
    expect(g.map((m) => m.id)).toEqual(['mae-random', 'grid', 'blockwise']);
    expect(g[0]!.hidden).toBe(37); // 49 − ⌊49·0.25⌋
    expect(g[1]!.hidden).toBe(33); // 49 − 16
    expect(g[1]!.note).toContain('whatever the ratio');
    expect(g[2]!.hidden).toBeLessThanOrEqual(37);
    expect(imageMaskGallery({ gh: 7, gw: 7 }, 0.5, 1, 0)[0]!.hidden).toBe(25);
  });
});
