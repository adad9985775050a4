// Kernel tuning in the app (issue [M]): switched on in the WebGPU panel, it tunes the run's
// matmuls when the run is set up, shows each choice and its gain, and the run trains on them.
// A second visit (a reload: same browser profile, so the same IndexedDB) reuses the cached
// choices instead of measuring again.
import { expect, test } from './fixtures.ts';

test('kernel tuning: measured on the first visit, a cache hit on the second, and the run trains', async ({ page }) => {
  test.setTimeout(300_000);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('/');
  await expect(page.getByTestId('gpu-status')).toBeVisible();
  await page.getByTestId('autotune-mode').selectOption('on');
  await page.getByTestId('preset-select').selectOption('bert-micro');
  await page.getByTestId('train-button').click();
  await expect(page.getByTestId('tune-progress')).toBeVisible({ timeout: 60_000 });
  const rows = page.getByTestId('tune-row');
  await expect(rows.first()).toBeVisible({ timeout: 120_000 });
  console.log(`first visit: ${await page.getByTestId('tune-summary').innerText()}`);
  console.log(await page.getByTestId('tune-table').innerText());
  expect(await page.locator('[data-testid="tune-row"][data-source="measured"]').count()).toBeGreaterThan(0);
  await expect(page.getByTestId('run-state')).toHaveText('running', { timeout: 60_000 });
  await page.getByTestId('pause-button').click();
  await expect(page.getByTestId('run-state')).toHaveText('paused', { timeout: 30_000 });

  await page.reload();
  await expect(page.getByTestId('autotune-mode')).toHaveValue('on'); // kept for later visits
  await page.getByTestId('preset-select').selectOption('bert-micro');
  await page.getByTestId('train-button').click();
  await expect(rows.first()).toBeVisible({ timeout: 120_000 });
  console.log(`second visit: ${await page.getByTestId('tune-summary').innerText()}`);
  expect(await page.locator('[data-testid="tune-row"][data-source="cache"]').count()).toBeGreaterThan(0);
  await expect(page.getByTestId('run-state')).toHaveText('running', { timeout: 60_000 });
  await expect(page.getByTestId('error-banner')).toHaveCount(0);
  expect(errors).toEqual([]);
});
