// Training batches and the fixed held-out rows of an image set, for the masked image models: the
// image counterpart of dataset.ts. Pixels become f32 in [0, 1] (the model's input and, patchified,
// its reconstruction target); labels ride along for the probes.
// Training image b of step s is train[hash4(s, b, DOMAIN, 0) drawn from Rng(seed)] — sampling with
// replacement, a pure function of (seed, step, b) like the text batches, so a resumed run sees the
// same batches and no epoch state has to be saved. The eval rows are the first `evalCount`
// held-out images in file order, the same for every run on the set.
// Deliberately not here: masks (src/masking/image*.ts), patchify (the GPU does it), I/O.

import { splitImages, type ImageSet } from './images.ts';
import { hash4, Rng } from './prng.ts';

/** Stream id of the training draw (keeps it apart from the text batches' streams). */
const IMAGE_TRAIN_DOMAIN = 0x1a6e;

export interface ImageBatch {
  B: number;
  H: number;
  W: number;
  C: number;
  /** (B,H,W,C) in [0, 1]. */
  pixels: Float32Array;
  /** (B) class index. */
  labels: Uint32Array;
  /** (B) index of each row's image in the set. */
  index: Uint32Array;
}

export interface ImageDataset {
  set: ImageSet;
  seed: number;
  /** Indices into the set. */
  train: readonly number[];
  heldOut: readonly number[];
  /** Fixed eval rows: the first evalCount held-out images. */
  evalSet: ImageBatch;
  /** Training batch for `step`: a pure function of (seed, step, B). Reuses `out` if given. */
  batch(step: number, B: number, out?: ImageBatch): ImageBatch;
}

export function emptyImageBatch(B: number, H: number, W: number, C: number): ImageBatch {
  return { B, H, W, C, pixels: new Float32Array(B * H * W * C), labels: new Uint32Array(B), index: new Uint32Array(B) };
}

/** Rows of `set` at `indices` as a batch (B = indices.length). */
export function imageRows(set: ImageSet, indices: readonly number[], out?: ImageBatch): ImageBatch {
  const { H, W, C } = set;
  const size = H * W * C;
  const batch = out ?? emptyImageBatch(indices.length, H, W, C);
  if (batch.B !== indices.length || batch.H !== H || batch.W !== W || batch.C !== C) {
    throw new Error(`imageRows: out is (${batch.B},${batch.H},${batch.W},${batch.C}) but the rows are (${indices.length},${H},${W},${C}).`);
  }
  indices.forEach((n, b) => {
    if (!Number.isInteger(n) || n < 0 || n >= set.N) throw new Error(`imageRows: image ${n} is not in the set (0..${set.N - 1}).`);
    const src = set.pixels.subarray(n * size, (n + 1) * size);
    const dst = batch.pixels.subarray(b * size, (b + 1) * size);
    for (let i = 0; i < size; i++) dst[i] = src[i]! / 255;
    batch.labels[b] = set.labels[n]!;
    batch.index[b] = n;
  });
  return batch;
}

/**
 * Splits the set (its file's fixed held-out part) and fixes the eval rows. `evalCount` defaults to
 * min(256, held-out images); asking for more than the held-out part holds is refused.
 */
export function buildImageDataset(set: ImageSet, opts: { seed: number; evalCount?: number }): ImageDataset {
  const { seed } = opts;
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new Error(`seed ${seed} must be an integer from 0 to 4294967295.`);
  const { train, heldOut } = splitImages(set);
  if (train.length === 0) throw new Error(`The image set "${set.id}" has no training images (all ${set.N} are held out).`);
  const evalCount = opts.evalCount ?? Math.min(256, heldOut.length);
  if (!Number.isInteger(evalCount) || evalCount < 1 || evalCount > heldOut.length) {
    throw new Error(`Asked for ${evalCount} eval images, but "${set.id}" holds out ${heldOut.length}: use a count from 1 to ${heldOut.length} (eval batches × batch size).`);
  }
  const evalSet = imageRows(set, heldOut.slice(0, evalCount));
  const picks: number[] = [];
  return {
    set,
    seed,
    train,
    heldOut,
    evalSet,
    batch(step, B, out) {
      picks.length = 0;
      for (let b = 0; b < B; b++) picks.push(train[new Rng(seed, hash4(step >>> 0, b, IMAGE_TRAIN_DOMAIN, 0)).int(train.length)]!);
      return imageRows(set, picks, out);
    },
  };
}
