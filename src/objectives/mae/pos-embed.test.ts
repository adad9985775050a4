// sincosPosEmbed2d against MAE's util/pos_embed.py, transcribed step by step (meshgrid with w
// first, reshape, einsum, concatenations) rather than from the formula in pos-embed.ts, and
// against values worked out by hand for a 2×2 grid.
import { describe, expect, it } from 'vitest';
import { maxAbsDiff } from '../../reference/compare.ts';
import { repeatRows, sincosPosEmbed2d } from './pos-embed.ts';

/** get_1d_sincos_pos_embed_from_grid(embed_dim, pos): (M, embed_dim). */
function mae1d(embedDim: number, pos: number[]): number[][] {
  const omega = Array.from({ length: embedDim / 2 }, (_, i) => 1 / 10000 ** (i / (embedDim / 2)));
  return pos.map((m) => {
    const out = omega.map((w) => m * w); // np.einsum('m,d->md', pos, omega)
    return [...out.map(Math.sin), ...out.map(Math.cos)];
  });
}

/** get_2d_sincos_pos_embed(embed_dim, grid_size) generalised to gh×gw, cls_token optional. */
function mae2d(embedDim: number, gh: number, gw: number, cls: boolean): number[][] {
  const gridH = Array.from({ length: gh }, (_, i) => i);
  const gridW = Array.from({ length: gw }, (_, i) => i);
  // grid = np.meshgrid(grid_w, grid_h): two (gh, gw) arrays, the first varying along w.
  const grid0 = gridH.flatMap(() => gridW);
  const grid1 = gridH.flatMap((h) => gridW.map(() => h));
  const embH = mae1d(embedDim / 2, grid0); // named emb_h in MAE, though grid[0] holds w
  const embW = mae1d(embedDim / 2, grid1);
  const emb = embH.map((row, i) => [...row, ...embW[i]!]);
  return cls ? [new Array<number>(embedDim).fill(0), ...emb] : emb;
}

describe('MAE 2-D sin-cos position embedding', () => {
  it('2×2 grid, D = 4: the hand-worked table (ω = [1]; column first, then row)', () => {
    const t = sincosPosEmbed2d(4, 2, 2);
    const s1 = Math.sin(1);
    const c1 = Math.cos(1);
    // (r, c) = (0,0), (0,1), (1,0), (1,1): [sin c, cos c, sin r, cos r]
    const want = [0, 1, 0, 1, s1, c1, 0, 1, 0, 1, s1, c1, s1, c1, s1, c1];
    expect(maxAbsDiff(t, want)).toBeLessThan(1e-15);
  });

  it.each([
    [2, 2, 8, false],
    [7, 7, 32, true],
    [7, 7, 16, false],
    [14, 14, 64, true],
    [3, 5, 12, true],
  ])('%i×%i grid, D = %i, cls %s: equals models_mae pos_embed', (gh, gw, D, cls) => {
    const want = mae2d(D, gh, gw, cls).flat();
    const got = sincosPosEmbed2d(D, gh, gw, cls ? 1 : 0);
    expect(got.length).toBe(want.length);
    expect(maxAbsDiff(got, want)).toBeLessThan(1e-12);
  });

  it('row 0 of a [CLS] table is zeros; values lie in [−1, 1]', () => {
    const t = sincosPosEmbed2d(16, 7, 7, 1);
    expect(Array.from(t.subarray(0, 16))).toEqual(new Array(16).fill(0));
    expect(Math.max(...t.map(Math.abs))).toBeLessThanOrEqual(1);
  });

  it('refuses a width that is not a multiple of 4 and an empty grid', () => {
    expect(() => sincosPosEmbed2d(6, 2, 2)).toThrow(/multiple of 4/);
    expect(() => sincosPosEmbed2d(8, 0, 2)).toThrow(/grid/);
  });

  it('repeatRows lays B copies end to end', () => {
    const rows = Float64Array.from([1, 2, 3]);
    expect(Array.from(repeatRows(rows, 2))).toEqual([1, 2, 3, 1, 2, 3]);
  });
});
