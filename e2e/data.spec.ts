// Your own text (issue [E] acceptance): a pasted text becomes the corpus and trains; an empty and
// a binary upload each show the error banner with the reason, and the loaded corpus stays.
import { expect, test } from './fixtures.ts';

const prose = Array.from({ length: 6000 }, (_, i) => ['the', 'cat', 'sat', 'on', 'a', 'mat', 'and', 'the', 'dog', 'ran', '.'][i % 11]).join(' ');

test('paste text, train on it; empty and binary uploads are refused and the text stays', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('/#preset=bert-micro&steps=3&tok=char');
  await page.getByTestId('paste-input').fill(prose);
  await page.getByTestId('paste-use').click();
  await expect(page.getByTestId('corpus-status')).toContainText('Loaded: pasted text — 6,000 words');
  await expect(page.getByTestId('field-data.source')).toHaveValue('text');

  await page.getByTestId('upload-input').setInputFiles({ name: 'empty.txt', mimeType: 'text/plain', buffer: Buffer.alloc(0) });
  await expect(page.getByTestId('error-banner')).toContainText('"empty.txt" is empty.');
  await expect(page.getByTestId('corpus-status')).toContainText('Loaded: pasted text');
  await page.getByRole('button', { name: 'Dismiss' }).click();

  const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
  await page.getByTestId('upload-input').setInputFiles({ name: 'photo.txt', mimeType: 'text/plain', buffer: png });
  await expect(page.getByTestId('error-banner')).toContainText('"photo.txt" is not a text file');
  await expect(page.getByTestId('corpus-status')).toContainText('Loaded: pasted text — 6,000 words');
  await page.getByRole('button', { name: 'Dismiss' }).click();

  // The text trains: three steps to the end, with a held-out eval.
  await page.getByTestId('train-button').click();
  await expect(page.getByTestId('run-state')).toHaveText('done', { timeout: 120_000 });
  await expect(page.getByTestId('status-step')).toHaveText('3 / 3');
  await expect(page.getByTestId('error-banner')).toHaveCount(0);
  expect(errors).toEqual([]);
});
