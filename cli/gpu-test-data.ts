// Vitest globalSetup of the `gpu` project: builds the image files under public/data before any
// GPU test runs, so a test page can fetch /data/mnist.bin on a fresh clone (npm test runs Vitest
// before build:app). Up-to-date files are skipped in about 10 ms.
import { buildImages } from './build-images.ts';

export default async function setup(): Promise<void> {
  await buildImages();
}
