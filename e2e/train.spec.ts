// Training runs in the app's Web Worker: Train starts it, metrics reach the page, Pause stops
// it, Step advances exactly one step.
import { expect, test } from './fixtures.ts';

const stepOf = async (text: Promise<string>) => Number((await text).split('/')[0]!.trim());

test('bert-micro trains in the worker; pause and single-step work', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('/');
  await expect(page.getByTestId('gpu-status')).toBeVisible();
  await page.getByTestId('preset-select').selectOption('bert-micro');
  await page.getByTestId('train-button').click();
  await expect(page.getByTestId('run-state')).toHaveText('running', { timeout: 60_000 });
  await expect.poll(() => stepOf(page.getByTestId('status-step').innerText()), { timeout: 120_000 }).toBeGreaterThanOrEqual(10);
  await expect(page.getByTestId('run-loss')).toHaveText(/^\d+\.\d{3}$/);

  await page.getByTestId('pause-button').click();
  await expect(page.getByTestId('run-state')).toHaveText('paused', { timeout: 30_000 });
  const paused = await stepOf(page.getByTestId('status-step').innerText());
  await page.getByTestId('step-button').click();
  await expect.poll(() => stepOf(page.getByTestId('status-step').innerText()), { timeout: 30_000 }).toBe(paused + 1);
  await expect(page.getByTestId('run-state')).toHaveText('paused');
  await expect(page.getByTestId('error-banner')).toHaveCount(0);
  expect(errors).toEqual([]);
});
