// CI's soak (issue [L] Reliability, item 8): the app trains bert-micro with every view open for
// two minutes, runs of 40 steps restarting as they end (so models, views and their GPU buffers are
// built and freed several times), sampled every 15 s by the same code as `npm run soak`
// (cli/soak-run.ts). Fails when the live GPU buffers grow (cli/soak-stats.ts LEAK_RULE); heap,
// DOM and ms/step slopes are printed only, two noisy minutes being too short to judge them.
// A spec rather than a second CLI run: it reuses the e2e server and browser, no build or launch.
import { runSoak } from '../cli/soak-run.ts';
import { formatTable, gpuBufferVerdict, LEAK_RULE } from '../cli/soak-stats.ts';
import { expect, test } from './fixtures.ts';

test.use({ viewport: { width: 1600, height: 1200 } });

test('soak: 2 minutes of runs with every view open, live GPU buffers stay flat', async ({ page, baseURL }) => {
  test.setTimeout(6 * 60_000);
  const samples = await runSoak(page, { url: baseURL!, minutes: 2, sampleSeconds: 15, preset: 'bert-micro', steps: 40 });
  console.log(formatTable(samples));
  const verdict = gpuBufferVerdict(samples);
  console.log(verdict.detail);
  // At least one restart, or the check never saw a run's buffers freed.
  expect(samples.at(-1)!.runs, 'runs started during the soak').toBeGreaterThanOrEqual(2);
  expect(verdict.growing, `${verdict.detail}\n${LEAK_RULE}`).toBe(false);
});
