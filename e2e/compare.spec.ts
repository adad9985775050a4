// Comparing runs and sharing a setup (issue [E] acceptance): two queued runs give two curves and
// two table rows; the setup survives a URL-hash round trip (and a bad link is reported, not fatal).
import { expect, test } from './fixtures.ts';

test('compare two runs: two series, two table rows', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('/#preset=bert-micro&steps=12&evalEvery=6');
  await expect(page.getByTestId('train-button')).toBeVisible();
  await page.getByTestId('compare-add').click();
  await page.getByTestId('field-masking.rate').fill('0.4');
  await page.getByTestId('compare-add').click();
  const rows = page.getByTestId('compare-row');
  await expect(rows).toHaveCount(2, { timeout: 120_000 });
  await expect(page.getByTestId('compare-queue')).toHaveText('Queue idle', { timeout: 120_000 });
  await expect(rows.nth(0).locator('td').nth(1)).toHaveText('12');
  await expect(rows.nth(1).locator('td').nth(1)).toHaveText('12');
  await expect(rows.nth(0)).toContainText('15%');
  await expect(rows.nth(1)).toContainText('40%');
  // Both have a fixed-mask eval: a number in the table, and two solid lines in the eval chart.
  for (const i of [0, 1]) await expect(rows.nth(i).locator('td').nth(2)).toHaveText(/^\d+\.\d{3}$/);
  await expect(page.getByTestId('loss-chart')).toHaveAttribute('data-series', '2');
  await expect(page.getByTestId('loss-chart')).toHaveAttribute('data-points', '12');
  expect(errors).toEqual([]);
});

test('the URL hash round-trips the setup; a bad value is reported and skipped', async ({ page }) => {
  await page.goto('/');
  await page.getByTestId('preset-select').selectOption('bert-micro');
  await page.getByTestId('mask-strategy-select').selectOption('span');
  await page.getByTestId('field-masking.rate').fill('0.3');
  await page.locator('summary', { hasText: 'Optimizer' }).click();
  await page.getByTestId('field-train.lr').fill('0.002');
  await expect.poll(() => page.evaluate(() => location.hash)).toContain('lr=0.002');
  const hash = await page.evaluate(() => location.hash);
  expect(hash).toContain('mask=span');
  expect(hash).toContain('m.rate=0.3');

  const other = await page.context().newPage();
  await other.goto(`/${hash}`);
  await expect(other.getByTestId('mask-strategy-select')).toHaveValue('span');
  await expect(other.getByTestId('field-masking.rate')).toHaveValue('0.3');
  await expect(other.getByTestId('field-train.lr')).toHaveValue('0.002');
  await expect(other.getByTestId('error-banner')).toHaveCount(0);

  const bad = await page.context().newPage();
  await bad.goto('/#preset=bert-micro&lr=fast&presenter=1');
  await expect(bad.getByTestId('error-banner')).toContainText('lr=fast');
  await expect(bad.getByTestId('setup-panel')).toHaveCount(0); // presenter=1 still applied
  // The hash now says what the page really uses: the bad value is gone.
  await expect.poll(() => bad.evaluate(() => location.hash)).toBe('#preset=bert-micro&presenter=1');
});
