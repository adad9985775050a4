// Choosing an objective in the setup panel (issue [J]): its fields, note and URL keys are drawn
// from the objective registry, validated with the registry's messages, and leave with it.
import { expect, test } from './fixtures.ts';

test('the objective selector draws the chosen objective’s fields from the registry', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('/');
  await page.getByTestId('preset-select').selectOption('bert-micro');
  await expect(page.getByTestId('field-electra.discWeight')).toHaveCount(0);

  await page.getByTestId('field-objective').selectOption('electra');
  await expect(page.getByTestId('field-electra.discWeight')).toHaveValue('50');
  await expect(page.getByTestId('generator-dims')).toContainText('Generator: ');
  expect(page.url()).toContain('objective=electra');

  // A value inside the range lands in the config and the link; one outside is refused with the range.
  await page.getByTestId('field-electra.discWeight').fill('20');
  await expect.poll(() => page.url()).toContain('e.discWeight=20');
  await page.getByTestId('field-electra.temperature').fill('50');
  await expect(page.getByTestId('field-error-electra.temperature')).toContainText('from 0.05 to 10');
  expect(page.url()).not.toContain('e.temperature');

  await page.getByTestId('field-electra.uniformGenerator').check();
  await expect(page.getByText('Uniform generator: replacements are drawn uniformly')).toBeVisible();

  await page.getByTestId('field-objective').selectOption('mlm');
  await expect(page.getByTestId('field-electra.discWeight')).toHaveCount(0);
  expect(errors).toEqual([]);
});

test('an ELECTRA run shows its own view, loaded from the objective’s folder; an MLM run does not', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('/#preset=electra-micro&steps=6&evalEvery=6');
  await page.getByTestId('train-button').click();
  await expect(page.getByTestId('run-state')).toHaveText('done', { timeout: 150_000 });
  const view = page.getByRole('region', { name: 'ELECTRA: replaced-token detection' });
  await expect(view.getByTestId('electra-view')).toContainText('The generator fills the masked tokens');
  expect(await view.locator('.electra-row').count()).toBeGreaterThan(0);

  await page.goto('about:blank'); // a fresh page, not a hash change on the finished one
  await page.goto('/#preset=bert-micro&steps=2&evalEvery=2');
  await page.getByTestId('train-button').click();
  await expect(page.getByTestId('run-state')).toHaveText('done', { timeout: 150_000 });
  await expect(page.getByRole('region', { name: 'ELECTRA: replaced-token detection' })).toHaveCount(0);
  expect(errors).toEqual([]);
});

test('position prediction: chosen in the setup panel, it trains and draws its true × predicted view, error chart and baselines', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('/#preset=bert-micro&steps=6&evalEvery=6');
  await page.getByTestId('field-objective').selectOption('position');
  await expect(page.getByTestId('field-position.eta')).toHaveValue('0');
  await page.getByTestId('field-position.eta').fill('0.25');
  await expect.poll(() => page.url()).toContain('pos.eta=0.25');
  await page.getByTestId('train-button').click();
  await expect(page.getByTestId('run-state')).toHaveText('done', { timeout: 150_000 });
  await expect(page.getByTestId('run-objective-metrics')).toContainText('pos err');
  await expect(page.getByTestId('pos-error-chart')).toBeVisible();
  // Held-out accuracy, the run's own mask, and its two baselines (per token id; per id and row length).
  await expect(page.getByTestId('eval-acc-chart')).toHaveAttribute('data-series', '4');
  const view = page.getByRole('region', { name: 'Position prediction: true × predicted' });
  await expect(view.getByTestId('position-heatmap')).toBeVisible({ timeout: 60_000 });
  expect(await view.locator('rect').count()).toBeGreaterThan(4);
  await expect(view.getByTestId('position-view')).toContainText('no position embeddings');
  expect(errors).toEqual([]);
});
