// The linear probes in the app (issue [H] acceptance): after two short Brown runs the probe curve
// and the "which layer" chart draw from real probe results, and the compare table has a probe
// column with a number for both runs (the untrained model's in brackets).
import { expect, test } from './fixtures.ts';

test('two short Brown runs: probe curves, the layer chart and probe columns in the compare table', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('/#preset=bert-micro&data=brown&steps=8&evalEvery=4&evalBatches=2');
  await expect(page.getByTestId('train-button')).toBeVisible();
  await page.getByTestId('compare-add').click();
  await page.getByTestId('field-masking.rate').fill('0.4');
  await page.getByTestId('compare-add').click();
  const rows = page.getByTestId('compare-row');
  await expect(rows).toHaveCount(2, { timeout: 170_000 });
  await expect(page.getByTestId('compare-queue')).toHaveText('Queue idle', { timeout: 170_000 });

  // Probes at step 0 (the untrained model) and at the end, for each run: two series of ≥ 2 points,
  // plus the majority-class baseline.
  const curve = page.getByTestId('probe-chart-pos');
  await expect(curve).toHaveAttribute('data-series', '3');
  expect(Number(await curve.getAttribute('data-points'))).toBeGreaterThanOrEqual(2);
  await expect(curve.locator('path.lc-line')).toHaveCount(3);
  // Which layer: initial and latest bars for the embeddings and both layers of the active run.
  const layers = page.getByTestId('probe-layers-pos');
  await expect(layers).toHaveAttribute('data-points', '6');
  await expect(layers.locator('rect.bc-bar')).toHaveCount(6);
  await expect(page.getByTestId('probe-layers-genre').locator('rect.bc-bar')).toHaveCount(6);
  await expect(page.getByTestId('probe-cost')).toContainText('% of the run’s time');

  // The compare table: a POS probe column with the final accuracy and the untrained model's.
  const col = await page.locator('.compare-table thead th').evaluateAll((ths) => ths.findIndex((th) => th.getAttribute('data-testid') === 'compare-probe-pos'));
  expect(col).toBeGreaterThan(0);
  for (const i of [0, 1]) await expect(rows.nth(i).locator('td').nth(col)).toHaveText(/^0\.\d{3} \(0\.\d{3}\)$/);
  expect(errors).toEqual([]);
});
