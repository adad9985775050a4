// What the live views cost training (issue [E]: "training with all views open is within 5% of
// training with views closed"): the built app in headless Chromium, one preset trained with the
// views closed and open in A B B A order, each timed as steady-state ms/step from the engine's
// own clock (the metric's elapsedMs between step `skip` and the last step; the first steps pay
// for pipeline compilation). Prints both numbers and their ratio; --out writes JSON.
//   npm run bench:views -- [--preset bert-tiny] [--steps 6] [--skip 2] [--out FILE]
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { chromium, type Page } from 'playwright';
import { preview } from 'vite';
import { chromiumArgs, findChromium, gpuModeFromEnv } from './chromium.ts';
import { ensureBuilt } from './headless.ts';
import { runCli } from './run.ts';

async function timedRun(page: Page, base: string, preset: string, steps: number, skip: number, views: boolean): Promise<number> {
  // A fresh page (and engine) per run; one eval batch at the end only, which is not timed.
  await page.goto(`${base}/#preset=${preset}&steps=${steps}&evalEvery=0&evalBatches=1`);
  await page.getByTestId('train-button').waitFor();
  const toggle = page.getByTestId('views-toggle');
  if ((await toggle.isChecked()) !== views) await toggle.click();
  await page.getByTestId('train-button').click();
  const line = page.getByTestId('status-line');
  const at = async () => ({ step: Number(await line.getAttribute('data-metric-step')), ms: Number(await line.getAttribute('data-elapsed-ms')) });
  let first: { step: number; ms: number } | null = null;
  for (;;) {
    const now = await at();
    if (!first && now.step >= skip) first = now;
    if (now.step >= steps) return (now.ms - first!.ms) / (now.step - first!.step);
    if ((await page.getByTestId('error-banner').count()) > 0) throw new Error(await page.getByTestId('error-banner').innerText());
    await page.waitForTimeout(200);
  }
}

runCli(async () => {
  const { values: v } = parseArgs({ options: { preset: { type: 'string', default: 'bert-tiny' }, steps: { type: 'string', default: '6' }, skip: { type: 'string', default: '2' }, out: { type: 'string' } } });
  const steps = Number(v.steps);
  const skip = Number(v.skip);
  await ensureBuilt((l) => console.log(l));
  const server = await preview({ logLevel: 'silent', preview: { host: '127.0.0.1', port: 0, strictPort: false, open: false } });
  const addr = server.httpServer.address();
  if (!addr || typeof addr === 'string') throw new Error('preview server has no port');
  const browser = await chromium.launch({ executablePath: findChromium().path, args: chromiumArgs(gpuModeFromEnv()) });
  const base = `http://127.0.0.1:${addr.port}`;
  const times: Record<'closed' | 'open', number[]> = { closed: [], open: [] };
  try {
    for (const views of [false, true, true, false]) {
      const page = await browser.newPage({ viewport: { width: 1600, height: 1200 } });
      const ms = await timedRun(page, base, v.preset, steps, skip, views);
      await page.close();
      times[views ? 'open' : 'closed'].push(ms);
      console.log(`${v.preset} views ${views ? 'open  ' : 'closed'}: ${ms.toFixed(1)} ms/step (steps ${skip}..${steps})`);
    }
  } finally {
    await browser.close();
    await server.close();
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const closed = mean(times.closed);
  const open = mean(times.open);
  const adapter = gpuModeFromEnv();
  console.log(`\n${v.preset}: views closed ${closed.toFixed(1)} ms/step, open ${open.toFixed(1)} ms/step → open/closed ${(open / closed).toFixed(3)} (${((open / closed - 1) * 100).toFixed(1)}%), GPU mode ${adapter}`);
  if (v.out) writeFileSync(v.out, JSON.stringify({ preset: v.preset, steps, skip, gpu: adapter, msPerStep: times, closed, open, ratio: open / closed }, null, 2));
  return 0;
});
