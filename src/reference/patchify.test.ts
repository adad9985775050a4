// Proves the patchify reference has MAE's layout: models_mae.py::patchify on an NCHW image is
//   imgs.reshape(N, C, h, p, w, p) → einsum('nchpwq->nhwpqc') → reshape(N, h·w, p·p·C),
// written here literally as six nested loops over (n, h, w, p, q, c), so the two share no index
// arithmetic. The GPU test then compares the kernel with the reference.
import { describe, expect, it } from 'vitest';
import { Rng } from '../data/prng.ts';
import { patchify, unpatchify } from './patchify.ts';

describe('patchify reference (MAE layout)', () => {
  it("matches MAE's 'nchpwq->nhwpqc' on a non-square, 3-channel image", () => {
    const [N, C, H, W, P] = [2, 3, 6, 9, 3];
    const [h, w] = [H / P, W / P];
    const rng = new Rng(3, 1);
    const nchw = rng.uniformArray(N * C * H * W, -1, 1);
    // Our images are (B,H,W,Cimg): the same pixels, channels last.
    const nhwc = new Float64Array(N * H * W * C);
    for (let n = 0; n < N; n++) for (let c = 0; c < C; c++) for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) nhwc[((n * H + y) * W + x) * C + c] = nchw[((n * C + c) * H + y) * W + x]!;
    const mae: number[] = [];
    for (let n = 0; n < N; n++)
      for (let hi = 0; hi < h; hi++)
        for (let wi = 0; wi < w; wi++)
          for (let pi = 0; pi < P; pi++)
            for (let qi = 0; qi < P; qi++)
              for (let c = 0; c < C; c++) mae.push(nchw[((n * C + c) * H + hi * P + pi) * W + wi * P + qi]!);
    const got = patchify(nhwc, { B: N, H, W, Cimg: C, p: P });
    expect(Array.from(got)).toEqual(mae);
    expect(Array.from(unpatchify(got, { B: N, H, W, Cimg: C, p: P }))).toEqual(Array.from(nhwc));
  });
});
