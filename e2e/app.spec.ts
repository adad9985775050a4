import { expect, test } from './fixtures.ts';

test('the app loads and shows the WebGPU adapter it got', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('/');
  await expect(page.getByRole('heading', { name: /masklab/i })).toBeVisible();
  const status = page.getByTestId('gpu-status');
  await expect(status).toBeVisible();
  const arch = await page.getByTestId('adapter-architecture').innerText();
  console.log(`app adapter: ${await page.getByTestId('adapter-name').innerText()}`);
  expect(arch.length).toBeGreaterThan(0);
  if (!process.env.MASKLAB_GPU || process.env.MASKLAB_GPU === 'swiftshader') {
    expect(arch).toBe('swiftshader');
    await expect(page.getByTestId('adapter-fallback')).toContainText('software fallback');
  }
  await expect(status).toContainText('Largest storage binding');
  expect(errors).toEqual([]);
});
