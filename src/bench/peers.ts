// The peer benchmark on one page (npm run bench -- --peers): our engine, TensorFlow.js (webgpu
// backend) and onnxruntime-web (WebGPU and WASM execution providers), each with its own
// GPUDevice on the same adapter, f32 everywhere. Per preset: the training step, the exported
// model's forward and the kernels at the model's shapes; every case proves equal work before it
// is timed (harness.ts), and the run reports nothing if any check fails. Loaded lazily by the
// headless page, so neither tfjs nor onnxruntime-web is in the app's bundle.
import type { Gpu } from '../gpu/device.ts';
import { initGpu } from '../gpu/device.ts';
import { maxPredictions, presetConfig } from '../model/config.ts';
import { installCounters } from './counters.ts';
import { timeCase, type CaseResult } from './harness.ts';
export type { PeerBenchOptions, PeerBenchResult } from './types.ts';
import { kernelCases } from './kernels.ts';
import { markdownReport } from './report.ts';
import { loadTfjsWebgpu } from './tfjs-bert.ts';
import { benchVocab, trainCase } from './train-case.ts';
import { tuneRunKernels } from '../train/tune-run.ts';
import type { BenchCase, PeerBenchOptions, PeerBenchResult, Runner } from './types.ts';

const MAX_K = 200;

/** Iterations per block: one warm-up iteration of the slowest runtime timed, k so a block lasts ≈ blockMs. */
async function blockSize(c: BenchCase, blockMs: number): Promise<number> {
  let slowest = 0;
  for (const r of Object.values(c.runners) as Runner[]) {
    await r.run(1); // compile, upload, first-use allocations
    const t0 = performance.now();
    await r.run(1);
    slowest = Math.max(slowest, performance.now() - t0);
  }
  return Math.max(1, Math.min(MAX_K, Math.round(blockMs / Math.max(slowest, 1e-3))));
}

export async function runPeerBench(opts: PeerBenchOptions, log: (line: string) => void): Promise<PeerBenchResult> {
  const gpu: Gpu = await initGpu({});
  const tf = await loadTfjsWebgpu();
  const adapter = `${gpu.report.vendor} / ${gpu.report.architecture}${gpu.report.description ? ` (${gpu.report.description})` : ''}`;
  log(`adapter ${adapter}; tfjs ${tf.version.tfjs} on ${tf.getBackend()}`);
  // Every case is built and its equal-work check run before anything is timed: one failed check
  // and the run reports no timing at all.
  const cases: BenchCase[] = [];
  const failures: string[] = [];
  const results: CaseResult[] = [];
  const tuning: NonNullable<PeerBenchResult['tuning']> = [];
  const counters = installCounters();
  try {
    // With autotuneMs: our kernels are tuned for each preset's shapes before its cases are built.
    const tune = opts.autotuneMs
      ? async (preset: string, keys: string[]) => {
          const t = await tuneRunKernels(gpu, keys, new Map(), { post: () => {}, budgetMs: opts.autotuneMs!, shouldStop: () => false });
          tuning.push({ preset, ms: t.ms, outcomes: t.outcomes });
          const measured = t.outcomes.filter((o) => o.source === 'measured');
          log(`tuned ${measured.length} of ${t.outcomes.length} kernels (matmul products, LayerNorms, the loss, the gradient norm) in ${(t.ms / 1000).toFixed(1)} s: ${t.outcomes.map((o) => `${o.key} → ${o.choice}${o.source === 'measured' ? ` ${o.gain.toFixed(2)}×` : ` (${o.source})`}`).join('; ')}`);
        }
      : undefined;
    for (const preset of opts.presets) {
      const cfg = presetConfig(preset);
      const V = benchVocab(cfg);
      cases.push(await trainCase(gpu, tf, cfg, tune && ((keys) => tune(preset, keys))));
      // Imported only when asked for: onnxruntime-web (and its wasm) load in a browser only.
      if (opts.forward ?? true) cases.push(await (await import('./forward.ts')).forwardCase(gpu, cfg, V));
      if (opts.kernels) cases.push(...(await kernelCases(gpu, tf, { B: cfg.train.batch, T: cfg.model.T, C: cfg.model.C, NH: cfg.model.NH, FFN: cfg.model.FFN, V, P: maxPredictions(cfg), L: cfg.model.L }, { untuned: Boolean(tune) })));
    }
    for (const c of cases) {
      if (c.check && !c.check.ok) failures.push(`${c.name}: ${c.check.detail}`);
      log(`${c.name}: equal work ${c.check ? `${c.check.ok ? '✓' : '✗'} ${c.check.detail}` : 'not checked'}`);
    }
    if (failures.length === 0) {
      for (const c of cases) {
        const k = await blockSize(c, opts.blockMs);
        const r = await timeCase(c, { reps: opts.reps, k, warmup: 0 }, counters); // blockSize() warmed every runtime up
        const line = Object.entries(r.runtimes).map(([id, t]) => `${id} ${t.median.toPrecision(4)} ms`).join(', ');
        log(`${c.name} (k=${k}): ${line}; speedup ${Object.entries(r.speedup).map(([id, x]) => `${x.toFixed(2)}× vs ${id}`).join(', ')}`);
        results.push(r);
      }
    }
  } finally {
    counters.uninstall();
    for (const c of cases) for (const r of Object.values(c.runners) as Runner[]) r.dispose();
  }
  const date = new Date().toISOString();
  const browser = navigator.userAgent.match(/Chrom(e|ium)\/[\d.]+/)?.[0] ?? navigator.userAgent;
  const ok = failures.length === 0;
  const markdown = ok ? markdownReport({ adapter, browser, date, reps: opts.reps, blockMs: opts.blockMs }, results) : '';
  return { adapter, browser, date, options: opts, ok, failures, results: ok ? results : [], ...(tuning.length ? { tuning } : {}), markdown };
}
