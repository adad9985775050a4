// For *.gpu.test.ts only: one real GPUDevice per test file (Vitest runs each file in its own
// page), with the adapter printed once so every test log says what it ran on. No mock: without
// WebGPU the tests fail, by design.
import { initGpu, type Gpu } from './device.ts';
import { StepEncoder } from './step-encoder.ts';

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
    console.log(`adapter: vendor=${r.vendor} architecture=${r.architecture} fallback=${r.isFallbackAdapter} features=[${r.deviceFeatures.join(' ')}]${r.subgroupSizes ? ` subgroup sizes ${r.subgroupSizes.min}..${r.subgroupSizes.max}` : ''}`);
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

/**
 * Wall time per run of `op`: `reps` runs recorded into one submission (as a training step records
 * every op into one), so the fixed cost of a submit and its wait is shared; after one warm-up run.
 * For printed comparisons only: timings are never asserted.
 */
export async function msPerRun(op: { record(enc: StepEncoder): void }, reps: number): Promise<number> {
  const gpu = await testGpu();
  const submit = async (n: number) => {
    const enc = new StepEncoder(gpu);
    for (let k = 0; k < n; k++) op.record(enc);
    await enc.submit().done();
  };
  await submit(1);
  const t0 = performance.now();
  await submit(reps);
  return (performance.now() - t0) / reps;
}
