// Faults a user can meet, on the built app, with nothing lost (issue [L]): a diverging run pauses
// with a roll-back offer; a crashed GPU process is replaced without a reload and the run goes on
// from the state the engine held.
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures.ts';

const stepNow = async (page: Page): Promise<number> => Number((await page.getByTestId('status-step').innerText()).split('/')[0]!.trim());

/** Opens bert-micro, trains at least `steps` steps and pauses (a pause autosaves); the step it paused at. */
async function trainAndPause(page: Page, steps: number): Promise<number> {
  await page.goto('/#preset=bert-micro');
  await expect(page.getByTestId('gpu-status')).toBeVisible();
  await page.getByTestId('train-button').click();
  await expect.poll(() => stepNow(page), { timeout: 120_000 }).toBeGreaterThanOrEqual(steps);
  await page.getByTestId('pause-button').click();
  await expect(page.getByTestId('run-state')).toHaveText('paused', { timeout: 30_000 });
  return stepNow(page);
}

test('a diverging run pauses with the rule and step, and rolls back to the last state that passed', async ({ page }) => {
  // The run: learning rate 1, no warmup, no clipping.
  await page.goto('/#preset=bert-micro&lr=1&warmup=0&clip=0');
  await expect(page.getByTestId('gpu-status')).toBeVisible();
  await page.getByTestId('train-button').click();
  const banner = page.getByTestId('divergence-banner');
  await expect(banner).toBeVisible({ timeout: 120_000 });
  await expect(page.getByTestId('run-state')).toHaveText('paused', { timeout: 30_000 });
  await expect(banner).toContainText(/Training paused at step \d+: .*rule (above-start|loss-spike|grad-explosion|non-finite)/);
  const hitStep = Number(await banner.getAttribute('data-step'));
  const rollback = page.getByTestId('rollback-half');
  await expect(rollback).toContainText(/Roll back to step \d+ at half the learning rate/);
  const back = Number((await rollback.innerText()).match(/step (\d+)/)![1]);
  expect(back).toBeLessThan(hitStep);
  await rollback.click();
  await expect(banner).toHaveCount(0, { timeout: 30_000 });
  await expect.poll(() => stepNow(page)).toBe(back);
  await expect(page.getByTestId('run-state')).toHaveText('paused');
  await expect(page.getByTestId('error-banner')).toHaveCount(0);
});

test('a crashed GPU process: one banner, a new device, the run rebuilt from its saved state and trained on, no reload', async ({ page, browser }) => {
  // A pause autosaves: that is the state the engine holds on the CPU.
  const saved = await trainAndPause(page, 10);
  await page.evaluate(() => ((window as unknown as { beforeCrash: boolean }).beforeCrash = true));
  await page.getByTestId('train-button').click();
  await expect.poll(() => stepNow(page), { timeout: 120_000 }).toBeGreaterThanOrEqual(saved + 5);

  const cdp = await browser.newBrowserCDPSession();
  await cdp.send('Browser.crashGpuProcess');
  const notice = page.getByTestId('notice-banner');
  await expect(notice).toContainText(`rebuilt the run at step ${saved} from its last saved state`, { timeout: 120_000 });
  await expect(page.getByTestId('run-state')).toHaveText('paused');
  await expect(page.getByTestId('error-banner')).toHaveCount(0); // the loss banner went with the new device
  expect(await page.evaluate(() => (window as unknown as { beforeCrash?: boolean }).beforeCrash)).toBe(true); // no reload
  await expect.poll(() => stepNow(page)).toBe(saved);

  await page.getByTestId('train-button').click();
  await expect.poll(() => stepNow(page), { timeout: 120_000 }).toBeGreaterThanOrEqual(saved + 5);
  await expect(page.getByTestId('error-banner')).toHaveCount(0);
});

test('an exception inside the worker: one banner per fault, the run and its history stay, Step and Reset work', async ({ page }) => {
  const step = await trainAndPause(page, 5);
  const loss = await page.getByTestId('run-loss').innerText();

  const banner = page.getByTestId('error-banner');
  for (const kind of ['command', 'uncaught', 'rejection'] as const) {
    await page.evaluate((k) => (window as unknown as { masklab: { fault(k: string): void } }).masklab.fault(k), kind);
    await expect(banner).toContainText(`injected fault (${kind})`);
    await expect(banner).toHaveCount(1);
    await expect(banner).toContainText('the run and its history are kept');
    await banner.getByRole('button', { name: 'Dismiss' }).click();
    await expect(banner).toHaveCount(0);
    expect(await stepNow(page)).toBe(step);
    await expect(page.getByTestId('run-loss')).toHaveText(loss);
  }
  // The engine still takes commands: one step, then a fresh run.
  await page.getByTestId('step-button').click();
  await expect.poll(() => stepNow(page), { timeout: 30_000 }).toBe(step + 1);
  await page.getByTestId('reset-button').click();
  await expect.poll(() => stepNow(page), { timeout: 60_000 }).toBe(0);
  await page.getByTestId('train-button').click();
  await expect.poll(() => stepNow(page), { timeout: 120_000 }).toBeGreaterThanOrEqual(3);
  await expect(banner).toHaveCount(0);
});
