// The MLIM image file (round trip, zero-run code, clear errors on damage), fetchImageSet, and the
// two built files: the test builds them first through the same function as `npm run images`
// (skipped when up to date), so it never runs against a missing or stale file.
import { beforeAll, describe, expect, it } from 'vitest';
import { FASHION_CLASSES, IMAGE_SOURCES, MNIST_CLASSES } from './image-sources.ts';
import { buildImageFilesNode, imageFilePath, readImagePackageNode, readImageSetNode } from './images-node.ts';
import {
  classCounts, decodeZeroRuns, distinctImages, encodeImageSet, encodeZeroRuns, fetchImageSet, fnv1a, imageAt, parseImageSet,
  readImageFileInfo, splitImages, type ImageSet,
} from './images.ts';
import { Rng } from './prng.ts';
import { makeShapes } from './shapes.ts';

/** node:fs / node:os through a non-literal specifier, as images-node.ts does (src/ is typed for the browser). */
interface NodeFs {
  readFileSync(path: string): Uint8Array;
  writeFileSync(path: string, data: Uint8Array): void;
  mkdtempSync(prefix: string): string;
  mkdirSync(path: string, o: { recursive: boolean }): void;
  symlinkSync(target: string, path: string): void;
  rmSync(path: string, o: { recursive: boolean; force: boolean }): void;
  realpathSync(path: string): string;
}
const fsSpec: string = 'node:fs';
const osSpec: string = 'node:os';
const fs = (await import(/* @vite-ignore */ fsSpec)) as NodeFs;
const os = (await import(/* @vite-ignore */ osSpec)) as { tmpdir(): string };

/** A small set with random pixels, half of them zero, and random labels. */
function randomSet(N: number, H: number, W: number, C: number, seed: number): ImageSet {
  const rng = new Rng(seed);
  const pixels = new Uint8Array(N * H * W * C).map(() => (rng.uniform() < 0.5 ? 0 : 1 + rng.int(255)));
  const labels = new Uint8Array(N).map(() => rng.int(3));
  return { id: 'random', N, H, W, C, pixels, labels, classNames: ['a', 'b', 'c'], heldOut: 2, source: `test seed ${seed}` };
}

describe('zero-run code', () => {
  it('round-trips runs longer than 255, leading and trailing zeros, and no zeros at all', () => {
    const cases = [new Uint8Array(0), new Uint8Array(1000), Uint8Array.from([0, 0, 7, 0, 255, 1]), new Uint8Array(600).fill(9), Uint8Array.from({ length: 777 }, (_, i) => (i % 300 < 260 ? 0 : i % 256 || 1))];
    for (const px of cases) expect(decodeZeroRuns(encodeZeroRuns(px), px.length)).toEqual(px);
    expect(Array.from(encodeZeroRuns(new Uint8Array(300)))).toEqual([0, 255, 0, 45]);
  });

  it('rejects a code that gives too few or too many pixels', () => {
    expect(() => decodeZeroRuns(Uint8Array.from([0, 5]), 6)).toThrow(/5 pixels, the header says 6: truncated/);
    expect(() => decodeZeroRuns(Uint8Array.from([0, 5, 3]), 5)).toThrow(/more than the 5 pixels/);
    expect(() => decodeZeroRuns(Uint8Array.from([3, 0]), 5)).toThrow(/ends inside a zero run/);
    expect(() => decodeZeroRuns(Uint8Array.from([0, 0]), 5)).toThrow(/zero run of length 0/);
  });
});

describe('MLIM file', () => {
  it('round-trips every field with both codecs, grey and RGB', () => {
    for (const s of [randomSet(7, 5, 4, 1, 1), randomSet(3, 6, 2, 3, 2), makeShapes({ seed: 3, N: 12 })]) {
      for (const codec of ['raw', 'zero-run'] as const) {
        const back = parseImageSet(encodeImageSet(s, codec));
        expect(back).toEqual(s);
      }
    }
    const s = randomSet(7, 5, 4, 1, 1);
    const info = readImageFileInfo(encodeImageSet(s));
    expect([info.N, info.H, info.W, info.C, info.heldOut, info.codec, info.source]).toEqual([7, 5, 4, 1, 2, 'zero-run', 'test seed 1']);
  });

  it('refuses an inconsistent set instead of writing it', () => {
    const s = randomSet(4, 3, 3, 1, 5);
    expect(() => encodeImageSet({ ...s, labels: Uint8Array.from([0, 1, 2, 3]) })).toThrow(/image 3 has label 3, but there are only 3 classes/);
    expect(() => encodeImageSet({ ...s, pixels: s.pixels.subarray(1) })).toThrow(/pixels hold 35 bytes.*needs 36/);
    expect(() => encodeImageSet({ ...s, heldOut: 5 })).toThrow(/5 held out of 4 images/);
  });

  it('says what is wrong with a damaged file and how to rebuild it', () => {
    const good = encodeImageSet(randomSet(6, 4, 4, 1, 7));
    const damaged = (f: (b: Uint8Array) => Uint8Array) => () => parseImageSet(f(good.slice()), 'public/data/x.bin');
    const fix = /public\/data\/x\.bin is corrupt.*npm run images -- --force/;
    expect(damaged((b) => b.subarray(0, b.length - 3))).toThrow(fix);
    expect(damaged((b) => b.subarray(0, b.length - 3))).toThrow(/header says \d+: truncated/);
    expect(damaged((b) => b.subarray(0, 10))).toThrow(/shorter than the 32-byte header/);
    expect(damaged((b) => ((b[0] = 0x3c), b))).toThrow(/starts with "<LIM", expected "MLIM"/);
    expect(damaged((b) => ((b[4] = 9), b))).toThrow(/format version 9, this code reads 1/);
    expect(damaged((b) => ((b[6] = 7), b))).toThrow(/unknown pixel codec 7/);
    expect(damaged((b) => ((b[b.length - 1] ^= 0x40), b))).toThrow(/checksum mismatch|pixels:/);
    expect(damaged((b) => ((b[40] ^= 0x01), b))).toThrow(fix); // inside the meta JSON
    const html = new TextEncoder().encode('<!doctype html><html><body>Not found</body></html>');
    expect(() => parseImageSet(html, '/data/mnist.bin')).toThrow(/\/data\/mnist\.bin is corrupt or not an image file \(starts with "<!do"/);
  });

  it('fetchImageSet parses a good answer and explains a missing file or a failed fetch', async () => {
    const bytes = encodeImageSet(randomSet(3, 2, 2, 1, 9));
    const ok = (async () => new Response(bytes.slice().buffer)) as typeof fetch;
    expect((await fetchImageSet('/data/x.bin', ok)).N).toBe(3);
    const missing = (async () => new Response('nope', { status: 404, statusText: 'Not Found' })) as typeof fetch;
    await expect(fetchImageSet('/data/x.bin', missing)).rejects.toThrow(/missing: GET \/data\/x\.bin answered 404.*npm run images/);
    const offline = (async () => {
      throw new TypeError('Failed to fetch');
    }) as typeof fetch;
    await expect(fetchImageSet('/data/x.bin', offline)).rejects.toThrow(/Could not fetch.*Failed to fetch/);
  });

  it('distinctImages keeps the first of each repeated image, in order, up to max', () => {
    const imgs = Uint8Array.from([1, 2, 3, 4, 1, 2, 5, 6, 3, 4, 7, 8]); // six 2-pixel images
    expect(Array.from(distinctImages(imgs, 2))).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(Array.from(distinctImages(imgs, 2, 3))).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('splitImages holds out the last images; classCounts counts labels', () => {
    const s = randomSet(10, 2, 2, 1, 4);
    const { train, heldOut } = splitImages({ ...s, heldOut: 3 });
    expect([train, heldOut]).toEqual([[0, 1, 2, 3, 4, 5, 6], [7, 8, 9]]);
    expect(classCounts(s).reduce((a, b) => a + b)).toBe(10);
    expect(classCounts(s, [0])[s.labels[0]!]).toBe(1);
  });
});

describe('the built image files', () => {
  let mnist: ImageSet;
  let fashion: ImageSet;
  beforeAll(async () => {
    await buildImageFilesNode();
    mnist = await readImageSetNode('mnist');
    fashion = await readImageSetNode('fashion-mnist');
  }, 120_000);

  /** Images whose bytes equal an earlier image's (none: so no held-out image is also trained on). */
  const repeats = (s: ImageSet) => {
    const seen = new Set<string>();
    const out: number[] = [];
    for (let n = 0; n < s.N; n++) {
      const key = imageAt(s, n).join();
      if (seen.has(key)) out.push(n);
      seen.add(key);
    }
    return out;
  };

  it('MNIST: 10,000 28×28 grey digits, 0–9 in the package proportions, bytes 0–255 mostly background', () => {
    expect([mnist.id, mnist.N, mnist.H, mnist.W, mnist.C]).toEqual(['mnist', 10000, 28, 28, 1]);
    expect(mnist.classNames).toEqual(MNIST_CLASSES);
    // The package's digit counts (src/digits/<d>.json): 8.6% .. 11.3% each, as in MNIST's test set.
    expect(classCounts(mnist)).toEqual([1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]);
    let zeros = 0;
    let max = 0;
    let sum = 0;
    for (const p of mnist.pixels) {
      zeros += +(p === 0);
      max = Math.max(max, p);
      sum += p;
    }
    expect(zeros / mnist.pixels.length).toBeCloseTo(0.808, 2);
    expect(max).toBe(255);
    expect(sum / mnist.pixels.length / 255).toBeGreaterThan(0.1); // mean ink ≈ 0.13 (MNIST's known mean)
    expect(sum / mnist.pixels.length / 255).toBeLessThan(0.16);
    for (let n = 0; n < mnist.N; n += 97) expect(imageAt(mnist, n).some((p) => p > 128)).toBe(true); // no blank digit
  });

  it('MNIST: 997 held out (every 10th of each class), disjoint from training, same on every build', async () => {
    const { train, heldOut } = splitImages(mnist);
    expect([train.length, heldOut.length]).toEqual([9003, 997]);
    expect(classCounts(mnist, heldOut)).toEqual([100, 112, 99, 103, 98, 86, 101, 107, 94, 97]);
    expect(new Set([...train, ...heldOut]).size).toBe(10000);
    expect(repeats(mnist)).toEqual([]);
    // Deterministic: reading the package again gives the file byte for byte.
    const again = await readImagePackageNode('mnist');
    expect(fnv1a(encodeImageSet(again))).toBe(fnv1a(fs.readFileSync(imageFilePath('mnist'))));
  }, 60_000);

  it('Fashion-MNIST: 1,000 of each of the 10 classes, 100 of each held out, class names from the registry', () => {
    expect([fashion.id, fashion.N, fashion.H, fashion.W, fashion.C, fashion.heldOut]).toEqual(['fashion-mnist', 10000, 28, 28, 1, 1000]);
    expect(fashion.classNames).toEqual(FASHION_CLASSES);
    expect(classCounts(fashion)).toEqual(new Array(10).fill(1000));
    expect(classCounts(fashion, splitImages(fashion).heldOut)).toEqual(new Array(10).fill(100));
    expect(repeats(fashion)).toEqual([]); // the package repeats a T-shirt: the build keeps it once
    // Plausible content: trousers (1) are narrow, bags (8) wide; sandals (5) have the least ink.
    const meanInk = (k: number) => {
      let s = 0;
      let n = 0;
      for (let i = 0; i < fashion.N; i++) {
        if (fashion.labels[i] !== k) continue;
        s += imageAt(fashion, i).reduce((a, b) => a + b, 0);
        n++;
      }
      return s / n / 784 / 255;
    };
    const inks = FASHION_CLASSES.map((_, k) => meanInk(k));
    expect(Math.min(...inks)).toBe(inks[5]);
  });

  it('agree with the registry, fit the 10 MB budget, and a rebuild is skipped when up to date', async () => {
    for (const s of [mnist, fashion]) {
      const spec = IMAGE_SOURCES.find((x) => x.id === s.id)!;
      expect([s.N, s.heldOut, s.H, s.W, s.C, s.classNames]).toEqual([spec.N, spec.heldOut, spec.H, spec.W, spec.C, spec.classNames]);
    }
    const builds = await buildImageFilesNode();
    expect(builds.map((b) => [b.id, b.skipped])).toEqual([['mnist', true], ['fashion-mnist', true]]);
    expect(builds.reduce((a, b) => a + b.bytes, 0)).toBeLessThanOrEqual(10_000_000);
  });

  it('rebuilds a truncated file instead of trusting it', async () => {
    const root = fs.mkdtempSync(`${os.tmpdir()}/masklab-images-`);
    try {
      fs.symlinkSync(fs.realpathSync('node_modules'), `${root}/node_modules`);
      fs.mkdirSync(`${root}/public/data`, { recursive: true });
      const good = fs.readFileSync(imageFilePath('mnist'));
      fs.writeFileSync(imageFilePath('mnist', root), good);
      expect((await buildImageFilesNode({ root, ids: ['mnist'] }))[0]!.skipped).toBe(true);
      fs.writeFileSync(imageFilePath('mnist', root), good.subarray(0, good.length - 100));
      await expect(readImageSetNode('mnist', root)).rejects.toThrow(/truncated.*npm run images -- --force/);
      expect((await buildImageFilesNode({ root, ids: ['mnist'] }))[0]!.skipped).toBe(false);
      expect((await readImageSetNode('mnist', root)).N).toBe(10000);
      await expect(readImageSetNode('fashion-mnist', root)).rejects.toThrow(/fashion-mnist\.bin is missing: run `npm run images`/);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  }, 60_000);
});
