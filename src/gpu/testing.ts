// For *.gpu.test.ts only: one real GPUDevice per test file (Vitest runs each file in its own
// page), with the adapter printed once so every test log says what it ran on. No mock: without
// WebGPU the tests fail, by design.
import { initGpu, type Gpu } from './device.ts';

let gpu: Promise<Gpu> | null = null;

/** Uncaptured GPU errors since the last check; the gpu project's setup fails a test that left any. */
export const uncapturedErrors: string[] = [];

export function testGpu(): Promise<Gpu> {
  gpu ??= initGpu({
    onError: (e) => {
      console.error(`[gpu ${e.kind}] ${e.message}`);
      uncapturedErrors.push(`${e.kind}: ${e.message}`);
    },
  }).then((g) => {
    const r = g.report;
    console.log(`adapter: vendor=${r.vendor} architecture=${r.architecture} fallback=${r.isFallbackAdapter} features=[${r.deviceFeatures.join(' ')}]`);
    return g;
  });
  return gpu;
}

/** Waits for queued GPU work, then throws if any uncaptured error was reported meanwhile. */
export async function checkNoUncapturedErrors(): Promise<void> {
  if (gpu) await (await gpu).device.queue.onSubmittedWorkDone();
  const errors = uncapturedErrors.splice(0);
  if (errors.length) throw new Error(`uncaptured GPU errors during the test:\n${errors.join('\n')}`);
}
