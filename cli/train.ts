// `npm run train -- [flags]`: runs the engine in headless Chromium and writes the run as JSON.
// Today it brings WebGPU up and reports the adapter; [B] adds training (presets, steps, data).
import { writeFileSync } from 'node:fs';
import { parseTrainArgs, TRAIN_USAGE, UsageError } from './args.ts';
import { ChromiumNotFound, gpuModeFromEnv } from './chromium.ts';
import { ensureBuilt, openHeadless } from './headless.ts';
import type { AdapterReport, EngineEvent, GpuErrorInfo } from '../src/train/protocol.ts';

const log = (line: string) => console.log(`[masklab] ${line}`);

async function main(): Promise<number> {
  const args = parseTrainArgs(process.argv.slice(2));
  if (args.help) {
    console.log(TRAIN_USAGE);
    return 0;
  }
  const gpuMode = args.gpu ?? gpuModeFromEnv();
  const t0 = performance.now();
  if (args.build) await ensureBuilt(log);

  let settle!: (r: { adapter: AdapterReport } | { error: GpuErrorInfo }) => void;
  const ready = new Promise<{ adapter: AdapterReport } | { error: GpuErrorInfo }>((r) => (settle = r));
  const onEvent = (e: EngineEvent) => {
    if (e.type === 'log') log(e.line);
    else if (e.type === 'gpu-ready') settle({ adapter: e.adapter });
    else if (e.type === 'gpu-error') settle({ error: e.error });
  };

  log(`starting headless Chromium (WebGPU: ${gpuMode}) ...`);
  const session = await openHeadless({ gpuMode, onEvent });
  try {
    log(`chromium ${session.chromiumPath}; page ${session.url}`);
    await session.send({ type: 'init' });
    const r = await ready;
    if ('error' in r) {
      console.error(`WebGPU failed: ${r.error.message}\n${r.error.hint}`);
      return 1;
    }
    const a = r.adapter;
    log(`adapter: ${a.vendor} / ${a.architecture}${a.description ? ` (${a.description})` : ''}, fallback=${a.isFallbackAdapter}`);
    log(`max storage binding ${(a.limits.maxStorageBufferBindingSize / 2 ** 20).toFixed(0)} MiB; features: ${a.deviceFeatures.join(', ')}`);
    const result = {
      tool: 'masklab train',
      version: 1,
      createdAt: new Date().toISOString(),
      gpuMode,
      chromium: { path: session.chromiumPath, version: session.browser.version(), args: session.args },
      adapter: a,
      wallSeconds: (performance.now() - t0) / 1000,
    };
    if (args.out) {
      writeFileSync(args.out, JSON.stringify(result, null, 2) + '\n');
      log(`wrote ${args.out}`);
    }
    return 0;
  } finally {
    await session.close();
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    if (e instanceof UsageError || e instanceof ChromiumNotFound) console.error(e.message);
    else console.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
    process.exit(e instanceof UsageError ? 2 : 1);
  },
);
