// `npm run soak -- --minutes N`: the built app in Chromium (SwiftShader unless MASKLAB_GPU=hardware)
// trains with every view open for N minutes while the page's and the engine's heaps, live GPU
// buffers, DOM nodes and ms/step are sampled (cli/soak-run.ts); prints the samples and each
// series' slope per minute (cli/soak-stats.ts), --out writes JSON. Exit 1 when the live GPU
// buffers grow (soak-stats.ts LEAK_RULE); the other slopes are printed for a person to judge.
// CI runs a 2-minute version as e2e/soak.spec.ts on the e2e server, not this CLI.
import { writeFileSync } from 'node:fs';
import { chromium } from 'playwright';
import { preview } from 'vite';
import { chromiumArgs, findChromium, gpuModeFromEnv } from './chromium.ts';
import { ensureBuilt } from './headless.ts';
import { runCli } from './run.ts';
import { parseSoakArgs, SOAK_USAGE } from './soak-args.ts';
import { runSoak } from './soak-run.ts';
import { formatTable, gpuBufferVerdict, LEAK_RULE, slopes } from './soak-stats.ts';

runCli(async () => {
  const a = parseSoakArgs(process.argv.slice(2));
  if (a.help) {
    console.log(SOAK_USAGE);
    return 0;
  }
  if (a.build) await ensureBuilt((l) => console.log(l));
  const server = await preview({ logLevel: 'silent', preview: { host: '127.0.0.1', port: 0, strictPort: false, open: false } });
  const addr = server.httpServer.address();
  if (!addr || typeof addr === 'string') throw new Error('preview server has no port');
  const gpu = gpuModeFromEnv();
  const browser = await chromium.launch({ executablePath: findChromium().path, args: chromiumArgs(gpu) });
  let samples;
  try {
    const page = await browser.newPage({ viewport: { width: 1600, height: 1200 } });
    samples = await runSoak(page, { url: `http://127.0.0.1:${addr.port}`, minutes: a.minutes, sampleSeconds: a.sampleSeconds, preset: a.preset, steps: a.steps, log: (l) => console.log(l) });
  } finally {
    await browser.close();
    await server.close();
  }
  const verdict = gpuBufferVerdict(samples);
  console.log(`\nsoak: ${a.preset}, ${a.steps} steps a run, ${a.minutes} min, GPU mode ${gpu}; slopes per minute over the samples after the first (warm-up)\n`);
  console.log(formatTable(samples));
  console.log(`\nrule: ${LEAK_RULE}\n${verdict.detail}`);
  if (a.out) writeFileSync(a.out, JSON.stringify({ ...a, gpu, samples, slopes: slopes(samples), rule: LEAK_RULE, verdict }, null, 2));
  return verdict.growing ? 1 : 0;
});
