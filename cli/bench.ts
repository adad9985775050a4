// `npm run bench -- [flags]`: training-step benchmark of the presets in headless Chromium.
import { writeFileSync } from 'node:fs';
import { BENCH_USAGE, parseBenchArgs, type BenchArgs } from './args.ts';
import { gpuModeFromEnv } from './chromium.ts';
import { ensureBuilt, openHeadless, type HeadlessSession } from './headless.ts';
import { runCli } from './run.ts';
import { refusal } from '../src/bench/report.ts';
import { presetConfig } from '../src/model/config.ts';
import type { AdapterReport, BenchResult, EngineEvent } from '../src/train/protocol.ts';

const log = (line: string) => console.log(`[bench] ${line}`);
const mib = (b: number) => `${(b / 2 ** 20).toFixed(2)} MiB`;

export function benchTable(results: BenchResult[]): string {
  const head = '| preset | shape (L/C/NH/FFN, T×B, V) | ms/step | tokens/s | GFLOP/s | dispatches/step | bind groups created/step | writeBuffer bytes/step | readback bytes/step | mapAsync/step | masking share of GPU time |';
  const rows = results.map((r) => {
    const s = r.shape;
    const p = r.perStep;
    return `| ${r.preset} | ${s.L}/${s.C}/${s.NH}/${s.FFN}, ${s.T}×${s.B}, ${s.V} | ${r.msPerStep.toFixed(1)} | ${r.tokensPerSec.toFixed(0)} | ${r.gflopPerSec.toFixed(2)} | ${p.dispatches.toFixed(0)} | ${p.bindGroupsCreated} | ${p.writeBufferBytes.toFixed(0)} | ${p.readbackBytes.toFixed(1)} | ${p.mapAsyncCalls.toFixed(2)} | ${r.masking.share === null ? 'n/a' : `${(100 * r.masking.share).toFixed(2)}% (${r.masking.strategy})`} |`;
  });
  const memHead = '| preset | parameters | params | grads | Adam moments | activations | activation grads | scratch |';
  const mem = results.map((r) => {
    const b = r.plannedBytes;
    return `| ${r.preset} | ${(r.parameters / 1e6).toFixed(2)}M | ${mib(b.params ?? 0)} | ${mib(b.grads ?? 0)} | ${mib((b.adam_m ?? 0) + (b.adam_v ?? 0))} | ${mib(b.acts ?? 0)} | ${mib(b.dacts ?? 0)} | ${mib(b.scratch ?? 0)} |`;
  });
  const sep = (h: string) => h.replace(/[^|]+/g, ' --- ');
  const out = [head, sep(head), ...rows, '', memHead, sep(memHead), ...mem];
  const timed = results.filter((r) => r.gpuTime.length > 0);
  if (timed.length) {
    const timeHead = '| preset | kernel | dispatches | GPU ms | share of the step |';
    out.push('', 'GPU time of one profiled step by kernel (timestamp queries, one pass per dispatch):', '', timeHead, sep(timeHead));
    for (const r of timed) out.push(...kernelRows(r));
  }
  return out.join('\n');
}

/** The kernels that take 1% of the step or more, then the rest as one row. */
function kernelRows(r: BenchResult): string[] {
  const total = r.gpuTime.reduce((a, k) => a + k.ms, 0);
  const row = (name: string, n: number, ms: number) => `| ${r.preset} | ${name} | ${n} | ${ms.toFixed(2)} | ${((100 * ms) / total).toFixed(1)}% |`;
  const big = r.gpuTime.filter((k) => k.ms >= 0.01 * total);
  const rest = r.gpuTime.filter((k) => k.ms < 0.01 * total);
  const rows = big.map((k) => row(k.kernel, k.dispatches, k.ms));
  if (rest.length) rows.push(row(`${rest.length} other kernels`, rest.reduce((a, k) => a + k.dispatches, 0), rest.reduce((a, k) => a + k.ms, 0)));
  return [...rows, row('**all**', r.gpuTime.reduce((a, k) => a + k.dispatches, 0), total)];
}

async function main(): Promise<number> {
  const args = parseBenchArgs(process.argv.slice(2));
  if (args.help) {
    console.log(BENCH_USAGE);
    return 0;
  }
  const gpuMode = args.gpu ?? gpuModeFromEnv();
  if (args.build) await ensureBuilt(log);
  let waiting: ((e: EngineEvent) => void) | null = null;
  const session = await openHeadless({
    gpuMode,
    onEvent: (e) => {
      if (e.type === 'log') log(e.line);
      else if (e.type === 'gpu-ready' || e.type === 'gpu-error' || e.type === 'bench-result' || e.type === 'run-error') waiting?.(e);
    },
  });
  const ask = (cmd: Parameters<typeof session.send>[0]) =>
    new Promise<EngineEvent>((resolve) => {
      waiting = resolve;
      void session.send(cmd);
    });
  try {
    const ready = await ask({ type: 'init' });
    if (ready.type !== 'gpu-ready') {
      console.error(ready.type === 'gpu-error' ? `${ready.error.message}\n${ready.error.hint}` : 'WebGPU did not start');
      return 1;
    }
    if (args.peers) return await peers(session, args, ready.adapter, gpuMode);
    const cpu = ready.adapter.isFallbackAdapter || ready.adapter.architecture === 'swiftshader';
    log(`adapter: ${ready.adapter.vendor} / ${ready.adapter.architecture}${cpu ? ' (a CPU adapter: bert-tiny gets few steps)' : ''}`);
    const results: BenchResult[] = [];
    for (const preset of args.presets) {
      const config = presetConfig(preset);
      if (args.masking) config.masking = args.masking;
      const big = cpu && preset !== 'bert-micro';
      const steps = args.steps ?? (big ? 3 : 20);
      const warmup = args.warmup ?? (big ? 1 : 3);
      log(`${preset}: ${warmup} warm-up + ${steps} timed steps ...`);
      const r = await ask({ type: 'bench', config, warmup, steps });
      if (r.type !== 'bench-result') {
        console.error(r.type === 'run-error' ? `${preset}: ${r.message}\n${r.hint}` : `${preset}: failed`);
        return 1;
      }
      const p = r.result.perStep;
      log(`${preset}: ${r.result.msPerStep.toFixed(1)} ms/step, ${r.result.tokensPerSec.toFixed(0)} tokens/s, ${p.dispatches} dispatches/step, ${p.bindGroupsCreated} bind groups created/step`);
      results.push(r.result);
    }
    console.log(`\nAdapter: ${results[0]?.adapter} (kernel profile ${results[0]?.profile}), Chromium ${session.browser.version()}\n`);
    console.log(benchTable(results));
    if (args.out) {
      writeFileSync(args.out, JSON.stringify({ tool: 'masklab bench', createdAt: new Date().toISOString(), gpuMode, adapter: ready.adapter, results }, null, 2) + '\n');
      log(`wrote ${args.out}`);
    }
    return 0;
  } finally {
    await session.close();
  }
}

/** --peers: the comparison runs on the page; the CLI prints and writes what it returns. */
async function peers(session: HeadlessSession, args: BenchArgs, adapter: AdapterReport, gpuMode: string): Promise<number> {
  const p = args.peers!;
  log(`peers: ${args.presets.join(', ')}; ${p.reps} timed blocks per runtime of ≈ ${p.blockMs} ms${p.kernels ? '; kernels' : ''}`);
  const r = await session.peers({ presets: args.presets, reps: p.reps, blockMs: p.blockMs, kernels: p.kernels, ...(p.autotuneMs ? { autotuneMs: p.autotuneMs } : {}) });
  if (!r.ok) {
    console.error(refusal(r.failures));
    return 1;
  }
  console.log(`\n${r.markdown}`);
  if (args.out) {
    writeFileSync(args.out, JSON.stringify({ tool: 'masklab bench --peers', createdAt: r.date, gpuMode, adapterReport: adapter, chromium: session.browser.version(), ...r }, null, 2) + '\n');
    log(`wrote ${args.out}`);
  }
  if (p.md) {
    writeFileSync(p.md, `### ${r.adapter} (${gpuMode}), ${r.date.slice(0, 10)}\n\n\`npm run bench -- --peers --presets ${args.presets.join(',')} --reps ${p.reps} --block-ms ${p.blockMs}${p.kernels ? '' : ' --no-kernels'}${p.autotuneMs ? ` --autotune-budget ${p.autotuneMs / 1000}` : ''}\`\n\n${r.markdown}`);
    log(`wrote ${p.md}`);
  }
  return 0;
}

runCli(main);
