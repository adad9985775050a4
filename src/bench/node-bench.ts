// `npm run bench:node -- [flags]`: the training-step benchmark (and the tfjs peer cases) under
// Node on Dawn (the npm package `webgpu`), without a browser: for machines that have a GPU but no
// Chromium (the device machine). Vite bundles this file for Node (vite.node.config.ts); `webgpu`
// stays outside the bundle (a native module), found in a node_modules beside or above it.
// Same engine, same cases and checks as the page: benchTraining and runPeerBench. What it does
// not do: the onnxruntime-web forward case (onnxruntime-web's WebGPU EP needs a browser), the app.
// src/ is typed without Node's types, so the few Node APIs used here are declared locally.
import { runPeerBench } from './peers.ts';
import { refusal } from './report.ts';
import { readBrownNode } from '../data/brown.ts';
import { initGpu } from '../gpu/device.ts';
import { GpuError } from '../gpu/errors.ts';
import { presetConfig } from '../model/config.ts';
import { benchTraining } from '../train/bench.ts';
import { NODE_BENCH_USAGE, parseNodeBenchArgs, type NodeBenchArgs } from './node-bench-args.ts';
import type { BenchResult } from '../train/protocol.ts';

interface NodeProcess {
  argv: string[];
  version: string;
  exitCode?: number;
  env: Record<string, string | undefined>;
}
interface Dawn {
  create(flags: string[]): GPU;
  globals: Record<string, unknown>;
}

const NO_ADAPTER_HINT =
  'Dawn needs a Vulkan driver. Without a GPU, run `npm run bench:node` (MASKLAB_GPU=swiftshader, the default, uses the SwiftShader driver Chromium ships); ' +
  'on a GPU machine, install the Vulkan loader (libvulkan1) and, if the driver is not found, set VK_DRIVER_FILES to its ICD file (e.g. /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json).';

const proc = (globalThis as unknown as { process: NodeProcess }).process;
const log = (line: string) => console.error(`[bench:node] ${line}`);

async function nodeImport<T>(spec: string): Promise<T> {
  return (await import(/* @vite-ignore */ spec)) as T; // a variable keeps Vite from bundling it
}

/** One line per preset: what `npm run bench` prints, less the tables. */
function summary(r: BenchResult): string {
  const total = r.gpuTime.reduce((a, k) => a + k.ms, 0);
  const top = r.gpuTime.slice(0, 4).map((k) => `${k.kernel} ${((100 * k.ms) / total).toFixed(0)}%`);
  return `${r.preset}: ${r.msPerStep.toFixed(2)} ms/step, ${r.tokensPerSec.toFixed(0)} tokens/s, ${r.gflopPerSec.toFixed(2)} GFLOP/s, ${r.perStep.dispatches} dispatches/step, ${r.perStep.bindGroupsCreated} bind groups/step${top.length ? `; GPU time: ${top.join(', ')}` : ''}`;
}

async function main(): Promise<number> {
  let args: NodeBenchArgs;
  try {
    args = parseNodeBenchArgs(proc.argv.slice(2));
  } catch (e) {
    console.error(e instanceof Error ? e.message : String(e));
    return 2;
  }
  if (args.help) {
    console.log(NODE_BENCH_USAGE);
    return 0;
  }
  let dawn: Dawn;
  try {
    dawn = await nodeImport<Dawn>('webgpu');
  } catch (e) {
    console.error(`Cannot load the \`webgpu\` package (Dawn for Node): ${e instanceof Error ? e.message : String(e)}\nRun \`npm ci\`, or put node_modules/webgpu beside this bundle.`);
    return 1;
  }
  // The page's globals, from Dawn: GPUBufferUsage & co. for the engine and tfjs, the GPU* classes
  // for the call counters; tfjs looks for `window` and navigator.gpu before it offers WebGPU.
  const gpuApi = dawn.create(args.dawn);
  Object.assign(globalThis, dawn.globals);
  const g = globalThis as unknown as Record<string, unknown>;
  g.window ??= globalThis;
  Object.defineProperty(globalThis, 'navigator', { value: { gpu: gpuApi, userAgent: `Node ${proc.version}, Dawn (npm webgpu)` }, configurable: true });

  const fs = await nodeImport<{ writeFileSync(p: string, s: string): void }>('node:fs');
  if (args.peers) {
    const r = await runPeerBench({ presets: args.presets, reps: args.reps, blockMs: args.blockMs, kernels: args.kernels, forward: false }, log);
    if (!r.ok) {
      console.error(refusal(r.failures));
      return 1;
    }
    console.log(r.markdown);
    if (args.out) fs.writeFileSync(args.out, JSON.stringify({ tool: 'masklab bench:node --peers', ...r }, null, 2) + '\n');
    return 0;
  }
  const gpu = await initGpu({ gpu: gpuApi });
  const cpu = gpu.report.isFallbackAdapter || gpu.report.architecture === 'swiftshader';
  log(`adapter ${gpu.report.vendor} / ${gpu.report.architecture} ${gpu.report.description ?? ''} (kernel profile ${gpu.profile})`);
  let brown: ReturnType<typeof readBrownNode> | null = null; // read once, when a preset needs it
  const results: BenchResult[] = [];
  try {
    for (const preset of args.presets) {
      const big = cpu && preset !== 'bert-micro';
      const steps = args.steps ?? (big ? 3 : 20);
      const warmup = args.warmup ?? (big ? 1 : 3);
      log(`${preset}: ${warmup} warm-up + ${steps} timed steps ...`);
      const r = await benchTraining(gpu, presetConfig(preset), { warmup, steps }, () => (brown ??= readBrownNode(proc.env.MASKLAB_ROOT ?? '.')));
      console.log(summary(r));
      results.push(r);
    }
  } finally {
    gpu.device.destroy();
  }
  if (args.out) fs.writeFileSync(args.out, JSON.stringify({ tool: 'masklab bench:node', createdAt: new Date().toISOString(), adapter: gpu.report, results }, null, 2) + '\n');
  return 0;
}

main().then(
  (code) => {
    proc.exitCode = code;
  },
  (e: unknown) => {
    // No adapter is a setup problem, not a bug: say what to do instead of printing a stack.
    if (e instanceof GpuError && e.kind === 'no-adapter') console.error(`${e.message}\n${NO_ADAPTER_HINT}`);
    else console.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
    proc.exitCode = 1;
  },
);
