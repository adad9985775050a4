// Save, resume and export in the built app (issue [F]): the ONNX export checked in onnxruntime-web
// against our engine ("export verified"), a downloaded checkpoint resumed at its step, a random
// file and a file for another setup refused with the reason (the current run untouched, and the
// other-setup file resumable with its own setup), the autosave offered after a reload, and the
// model export zip.
import { readFileSync } from 'node:fs';
import { expect, test, type Page } from './fixtures.ts';

const setup = '/#preset=bert-micro&steps=40';

async function trainSteps(page: Page, n: number): Promise<void> {
  await page.getByTestId('step-button').click(); // configures, then one step
  await expect(page.getByTestId('status-step')).toHaveText('1 / 40', { timeout: 120_000 });
  for (let i = 1; i < n; i++) {
    await page.getByTestId('step-button').click();
    await expect(page.getByTestId('status-step')).toHaveText(`${i + 1} / 40`);
  }
}

test('export verified in onnxruntime-web; checkpoint download, refusals, resume; autosave after reload', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(setup);
  await trainSteps(page, 3);

  // The ONNX export, run by onnxruntime-web (wasm served by the app), matches our logits.
  await page.getByTestId('verify-export').click();
  const verified = page.getByTestId('export-verified');
  await expect(verified).toContainText('✓ export verified', { timeout: 120_000 });
  expect(Number(await verified.getAttribute('data-max-diff'))).toBeLessThanOrEqual(1e-3);

  // Download the checkpoint at step 3.
  const download = page.waitForEvent('download');
  await page.getByTestId('download-checkpoint').click();
  const file = await download;
  expect(file.suggestedFilename()).toBe('masklab-bert-micro-step3.mlckpt');
  const bytes = readFileSync((await file.path())!);

  // Two more steps, then a random file: refused, and the run stays at step 5.
  await page.getByTestId('step-button').click();
  await page.getByTestId('step-button').click();
  await expect(page.getByTestId('status-step')).toHaveText('5 / 40');
  await page.getByTestId('checkpoint-input').setInputFiles({ name: 'random.mlckpt', mimeType: 'application/octet-stream', buffer: Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)) });
  await expect(page.getByTestId('checkpoint-refused')).toContainText('This is not a masklab checkpoint');
  await expect(page.getByTestId('checkpoint-refused')).toContainText('The current run is unchanged.');
  await expect(page.getByTestId('status-step')).toHaveText('5 / 40');

  // A truncated copy: refused with the byte counts.
  await page.getByTestId('checkpoint-input').setInputFiles({ name: 'cut.mlckpt', mimeType: 'application/octet-stream', buffer: bytes.subarray(0, bytes.length - 1000) });
  await expect(page.getByTestId('checkpoint-refused')).toContainText(`The checkpoint is truncated: it has ${bytes.length - 1000} bytes, its header says ${bytes.length}.`);
  await expect(page.getByTestId('status-step')).toHaveText('5 / 40');

  // The real file resumes at step 3 with its history.
  await page.getByTestId('checkpoint-input').setInputFiles({ name: 'ok.mlckpt', mimeType: 'application/octet-stream', buffer: bytes });
  await expect(page.getByTestId('status-step')).toHaveText('3 / 40');
  await expect(page.getByTestId('checkpoint-refused')).toHaveCount(0);
  await page.getByTestId('step-button').click();
  await expect(page.getByTestId('status-step')).toHaveText('4 / 40');

  // Another setup selected (hidden 64): the file is refused with the difference, then resumed with its own setup.
  await page.getByText('Model size', { exact: true }).click(); // opens the section
  await page.getByTestId('field-model.C').fill('64');
  await page.getByTestId('checkpoint-input').setInputFiles({ name: 'ok.mlckpt', mimeType: 'application/octet-stream', buffer: bytes });
  await expect(page.getByTestId('checkpoint-refused')).toContainText('This checkpoint is for another setup');
  await expect(page.getByTestId('checkpoint-refused')).toContainText('model.C: 32 in the file, 64 here');
  await expect(page.getByTestId('status-step')).toHaveText('4 / 40');
  await page.getByTestId('resume-own-setup').click();
  await expect(page.getByTestId('status-step')).toHaveText('3 / 40');
  await expect(page.getByTestId('field-model.C')).toHaveValue('32');

  // Pausing saves to IndexedDB; after a reload the page offers the run (newest first) and resumes it.
  await page.getByTestId('step-button').click();
  await expect(page.getByTestId('status-step')).toHaveText('4 / 40');
  await expect(page.getByTestId('autosave-status')).toHaveText('Autosaved at step 4.');
  await page.reload();
  const newest = page.getByTestId('resume-item').first(); // each resumed file got a slot of its own: several are offered
  await expect(newest).toContainText('saved at step 4 of 40');
  await newest.getByTestId('resume-autosave').click();
  await expect(page.getByTestId('status-step')).toHaveText('4 / 40', { timeout: 60_000 });
  await expect(page.getByTestId('resume-offer')).toHaveCount(0);

  // The model export: one zip with the Hugging Face folder, model.onnx and probe.json.
  const zip = page.waitForEvent('download');
  await page.getByTestId('export-model').click();
  const z = await zip;
  expect(z.suggestedFilename()).toBe('masklab-export.zip');
  const names = readFileSync((await z.path())!).toString('latin1');
  for (const f of ['hf/config.json', 'hf/vocab.txt', 'hf/model.safetensors', 'hf/tokenizer.json', 'hf/onnx/model.onnx', 'hf/README.md', 'model.onnx', 'probe.json']) expect(names).toContain(f);
  expect(errors).toEqual([]);
});
