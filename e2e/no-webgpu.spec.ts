// Without WebGPU the app must explain what it needs instead of showing a blank page or a trace.
import { expect, test } from './fixtures.ts';

test.describe('a browser without navigator.gpu', () => {
  test('shows the no-WebGPU explanation page', async ({ page }) => {
    // Browsers without WebGPU have no navigator.gpu at all; remove it before the app runs.
    await page.addInitScript(() => {
      delete (Navigator.prototype as unknown as { gpu?: unknown }).gpu;
    });
    await page.goto('/');
    const missing = page.getByTestId('webgpu-missing');
    await expect(missing).toBeVisible();
    await expect(missing.getByRole('heading', { level: 1 })).toHaveText('WebGPU is not available');
    await expect(page.getByTestId('webgpu-missing-detail')).toContainText('navigator.gpu is missing');
  });
});
