import { describe, expect, it } from 'vitest';
import { Arena, ArenaPlan } from '../../gpu/arena.ts';
import { StepEncoder } from '../../gpu/step-encoder.ts';
import { readF32 } from '../../gpu/readback.ts';
import { testGpu } from '../../gpu/testing.ts';
import { Rng } from '../../data/prng.ts';
import { maxAbsDiff } from '../../reference/compare.ts';
import { patchify, unpatchify } from '../../reference/patchify.ts';
import { patchGrid, preparePatchify, prepareUnpatchify, type PatchifyShape } from './patchify.ts';
import { opContext } from '../../shaders/index.ts';

async function run(s: PatchifyShape) {
  const gpu = await testGpu();
  const ctx = opContext(gpu);
  const { L, PD } = patchGrid(s);
  const arena = Arena.build(
    gpu,
    new ArenaPlan()
      .add('act', 'images', [s.B, s.H, s.W, s.Cimg])
      .add('act', 'patches', [s.B, L, PD])
      .add('act', 'patches.in', [s.B, L, PD])
      .add('act', 'images.out', [s.B, s.H, s.W, s.Cimg]),
  );
  const rng = new Rng(9, s.H * 100 + s.p);
  const images = rng.uniformArray(s.B * s.H * s.W * s.Cimg, -1, 1);
  const patchesIn = rng.uniformArray(s.B * L * PD, -1, 1);
  arena.write('images', images);
  arena.write('patches.in', patchesIn);
  const g = (n: string) => arena.get(n);
  const fwd = await preparePatchify(ctx, { images: g('images'), patches: g('patches') }, s);
  const inv = await prepareUnpatchify(ctx, { patches: g('patches.in'), images: g('images.out') }, s);
  const enc = new StepEncoder(gpu);
  fwd.record(enc);
  inv.record(enc);
  enc.submit();
  const patches = await readF32(gpu, g('patches'));
  const imagesOut = await readF32(gpu, g('images.out'));
  arena.destroy();
  return {
    patchify: maxAbsDiff(patches, patchify(images, s)),
    unpatchify: maxAbsDiff(imagesOut, unpatchify(patchesIn, s)),
    // The two are inverse permutations: unpatchify(patchify(x)) = x, checked on the reference too.
    roundTrip: maxAbsDiff(unpatchify(patches, s), images),
  };
}

describe('patchify / unpatchify (GPU vs float64)', () => {
  // Both are copies: exact (max |err| = 0).
  it.each([
    { B: 3, H: 28, W: 28, Cimg: 1, p: 4 }, // MNIST, L = 49, PD = 16
    { B: 3, H: 28, W: 28, Cimg: 1, p: 7 }, // L = 16, PD = 49
    { B: 2, H: 12, W: 8, Cimg: 3, p: 4 }, // non-square, colour: gh ≠ gw, PD = 48
  ])('$B×$H×$W×$Cimg, p=$p', async (s) => {
    const e = await run(s);
    console.log(`patchify ${JSON.stringify(s)}: max|err| patchify ${e.patchify}, unpatchify ${e.unpatchify}, round trip ${e.roundTrip}`);
    expect(e).toEqual({ patchify: 0, unpatchify: 0, roundTrip: 0 });
  });

  it('rejects a patch size that does not divide the image, and a mis-sized range', async () => {
    const gpu = await testGpu();
    const ctx = opContext(gpu);
    const arena = Arena.build(gpu, new ArenaPlan().add('a', 'images', [1, 28, 28, 1]).add('a', 'patches', [1, 48, 16]));
    const io = { images: arena.get('images'), patches: arena.get('patches') };
    await expect(preparePatchify(ctx, io, { B: 1, H: 28, W: 28, Cimg: 1, p: 5 })).rejects.toThrow(/p=5 must divide/);
    await expect(prepareUnpatchify(ctx, io, { B: 1, H: 28, W: 28, Cimg: 1, p: 4 })).rejects.toThrow(/unpatchify: patches has 768 elements, expected 784/);
    arena.destroy();
  });
});
