// The playground end to end (issue [E] acceptance): pick a preset, train 20 steps, and every view
// shows real data — the loss chart's points, attention drawn on its canvases, as many masked
// tokens in the mask view as the batch's mask record holds, five fill-the-mask guesses;
// presenter mode hides the setup.
import { expect, test, type Page } from './fixtures.ts';

const stepOf = async (page: Page) => Number((await page.getByTestId('status-step').innerText()).split('/')[0]!.trim());

/** Non-background pixels of a canvas (alpha > 0 and not the cleared colour). */
const inkedPixels = (page: Page, testId: string) =>
  page.getByTestId(testId).evaluate((c: HTMLCanvasElement) => {
    const ctx = c.getContext('2d')!;
    const { data } = ctx.getImageData(0, 0, c.width, c.height);
    let n = 0;
    for (let i = 0; i < data.length; i += 4) if (data[i + 3]! > 0) n++;
    return n;
  });

test('train 20 steps: curves, attention, masks and fill-the-mask all show the run', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('/');
  await page.getByTestId('preset-select').selectOption('bert-micro');
  await page.getByTestId('train-button').click();
  await expect.poll(() => stepOf(page), { timeout: 120_000 }).toBeGreaterThanOrEqual(20);
  await page.getByTestId('pause-button').click();
  await expect(page.getByTestId('run-state')).toHaveText('paused', { timeout: 30_000 });
  const steps = await stepOf(page);

  // One point per step (the UI asks for metrics every step).
  await expect.poll(async () => Number(await page.getByTestId('loss-chart').getAttribute('data-points'))).toBeGreaterThanOrEqual(20);
  expect(Number(await page.getByTestId('loss-chart').getAttribute('data-points'))).toBe(steps);

  // Attention of the probe sentence, from the paused weights.
  await expect(page.getByText(`weights from step ${steps}`)).toBeVisible();
  expect(await inkedPixels(page, 'attention-heatmap')).toBeGreaterThan(100);
  expect(await inkedPixels(page, 'model-view')).toBeGreaterThan(100);

  // The mask view draws one chip per masked token of the record the engine sent.
  const view = page.getByTestId('mask-view');
  await expect(view).toHaveAttribute('data-masked', /^[1-9]\d*$/);
  const recorded = Number(await view.getAttribute('data-masked'));
  await expect(view.locator('.masked')).toHaveCount(recorded);

  // Fill the mask: five guesses for the default probe's [MASK], then for a typed sentence.
  await expect(page.getByTestId('fill-mask-results').locator('.fill-token')).toHaveCount(5);
  await page.getByTestId('fill-mask-input').fill('b c [MASK] e');
  await expect(page.getByTestId('fill-mask-results')).toContainText('position 3');
  await expect(page.getByTestId('fill-mask-results').locator('.fill-token')).toHaveCount(5);

  // Keyboard: `s` trains exactly one step.
  await page.locator('body').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('s');
  await expect.poll(() => stepOf(page), { timeout: 30_000 }).toBe(steps + 1);

  // The synthetic task has no probe labels: the Curves panel says so instead of showing numbers.
  await expect(page.getByTestId('probe-unavailable')).toContainText('synthetic tasks have no probe task');

  // Presenter mode hides the setup panel and keeps the controls.
  await expect(page.getByTestId('setup-panel')).toBeVisible();
  await page.getByTestId('presenter-toggle').click();
  await expect(page.getByTestId('setup-panel')).toHaveCount(0);
  await expect(page.getByTestId('train-button')).toBeVisible();
  expect(errors).toEqual([]);
});
