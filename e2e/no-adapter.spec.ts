// Chromium started without WebGPU flags on a machine with no GPU: navigator.gpu exists but
// requestAdapter() returns null. A real browser state, not a simulation.
import { expect, test } from './fixtures.ts';
import { chromiumArgsWithoutWebGpu, findChromium } from '../cli/chromium.ts';

test.use({ launchOptions: { executablePath: findChromium().path, args: chromiumArgsWithoutWebGpu() } });

test('without an adapter the app shows the explanation page', async ({ page }) => {
  await page.goto('/');
  const missing = page.getByTestId('webgpu-missing');
  await expect(missing).toBeVisible();
  await expect(missing.getByRole('heading', { level: 1 })).toHaveText('No WebGPU adapter found');
  await expect(missing).toContainText('Chrome or Edge 113 or newer');
  await expect(missing).toContainText('--use-webgpu-adapter=swiftshader');
  await expect(page.getByTestId('gpu-status')).toHaveCount(0);
});
