// Autosave that never loses another run (issue [L] item 4), in the built app. Two pages of one
// browser context share IndexedDB like two tabs. Before the app first opens its database, an init
// script leaves a version-1 database with the old single autosave: the upgraded app offers it.
// Each tab trains its own run and pauses (a pause autosaves into the run's own slot), so tab B's
// run does not overwrite tab A's. A's save is then put where version 1 kept it (its exact record)
// to resume the old layout with real bytes: after a reload tab A is offered both, newest first,
// B's marked as open in another tab; resuming A's gives A's step and its first save moves it into
// a slot of its own; resuming this tab's slot and saving again adds no slot. A second test cuts
// the quota (Chrome DevTools Protocol): a real QuotaExceededError, shown with its remedy.
import { expect, test, type Page } from './fixtures.ts';

async function stepTo(page: Page, step: number, first = false): Promise<void> {
  await page.getByTestId('step-button').click(); // the first click configures, then one step
  await expect(page.getByTestId('status-step')).toHaveText(`${step} / 40`, first ? { timeout: 120_000 } : {});
  await expect(page.getByTestId('autosave-status')).toHaveText(`Autosaved at step ${step}.`); // a pause autosaves
}

/** Version 1's database ('checkpoints' store, one record 'autosave'), once, before the app opens it. */
function seedVersion1(): void {
  if (!location.protocol.startsWith('http') || localStorage.getItem('e2e-v1-seeded')) return;
  localStorage.setItem('e2e-v1-seeded', '1');
  const req = indexedDB.open('masklab', 1);
  req.onupgradeneeded = () => req.result.createObjectStore('checkpoints');
  req.onsuccess = () => {
    const tx = req.result.transaction('checkpoints', 'readwrite');
    tx.objectStore('checkpoints').put({ bytes: new ArrayBuffer(8), step: 1, steps: 40, label: 'version-1 run', savedAt: '2024-01-01T00:00:00.000Z' }, 'autosave');
    tx.oncomplete = () => req.result.close();
  };
}

/** Moves tab A's slot (seed 1) into version 1's record, as the old code stored it; its slot goes. */
const toVersion1 = (page: Page) =>
  page.evaluate(
    () =>
      new Promise<void>((resolve, reject) => {
        const req = indexedDB.open('masklab');
        req.onsuccess = () => {
          const tx = req.result.transaction(['checkpoints', 'autosave-meta', 'autosave-bytes'], 'readwrite');
          const metas = tx.objectStore('autosave-meta').getAll();
          metas.onsuccess = () => {
            const m = (metas.result as { key: string; label: string; step: number; steps: number; savedAt: string }[]).find((x) => x.label.endsWith('seed 1'))!;
            const bytes = tx.objectStore('autosave-bytes').get(m.key);
            bytes.onsuccess = () => {
              tx.objectStore('checkpoints').put({ bytes: bytes.result, step: m.step, steps: m.steps, label: m.label, savedAt: m.savedAt }, 'autosave');
              tx.objectStore('autosave-meta').delete(m.key);
              tx.objectStore('autosave-bytes').delete(m.key);
            };
          };
          tx.oncomplete = () => resolve(req.result.close());
          tx.onabort = () => reject(tx.error);
        };
        req.onerror = () => reject(req.error);
      }),
  );

/** The slots in IndexedDB, as label@step. */
const storedSlots = (page: Page) =>
  page.evaluate(
    () =>
      new Promise<string[]>((resolve, reject) => {
        const req = indexedDB.open('masklab');
        req.onsuccess = () => {
          const all = req.result.transaction('autosave-meta').objectStore('autosave-meta').getAll();
          all.onsuccess = () => resolve((all.result as { label: string; step: number }[]).map((m) => `${m.label.split(' · ').at(-1)}@${m.step}`).sort());
          all.onerror = () => reject(all.error);
        };
        req.onerror = () => reject(req.error);
      }),
  );

test('autosave: a slot per run, a second tab keeps the first tab’s run, the version-1 save offered and resumed', async ({ context }) => {
  const errors: string[] = [];
  await context.addInitScript(seedVersion1);
  const a = await context.newPage();
  const b = await context.newPage();
  for (const p of [a, b]) p.on('pageerror', (e) => errors.push(e.message));

  await a.goto('/#preset=bert-micro&steps=40');
  const items = a.getByTestId('resume-item');
  await expect(items).toHaveCount(1); // the upgraded database offers version 1's autosave
  await expect(items.first()).toHaveAttribute('data-owner', 'an earlier version');
  await expect(items.first()).toContainText('version-1 run: saved at step 1 of 40');

  await b.goto('/#preset=bert-micro&steps=40&seed=2');
  for (let s = 1; s <= 2; s++) await stepTo(a, s, s === 1);
  await stepTo(b, 1, true); // saved after A's: the newest
  await toVersion1(a);

  // Tab A reloads: both runs are offered, newest first; B's is live in the other tab.
  await a.reload();
  await expect(items).toHaveCount(2);
  await expect(items.nth(0)).toContainText('seed 2: saved at step 1 of 40');
  await expect(items.nth(0)).toHaveAttribute('data-owner', 'open in another tab');
  await expect(items.nth(0).getByTestId('discard-autosave')).toBeDisabled();
  await expect(items.nth(1)).toContainText('seed 1: saved at step 2 of 40');
  await expect(items.nth(1)).toHaveAttribute('data-owner', 'an earlier version');

  // Resuming A's gives A's run at A's step; its first save moves it into a slot of this tab's.
  await items.nth(1).getByTestId('resume-autosave').click();
  await expect(a.getByTestId('status-step')).toHaveText('2 / 40', { timeout: 60_000 });
  await expect(a.getByTestId('resume-offer')).toHaveCount(0);
  await stepTo(a, 3);
  expect(await storedSlots(a)).toEqual(['seed 1@3', 'seed 2@1']);

  // After a reload A's run is in this tab's slot; resumed and saved again, it stays one slot.
  await a.reload();
  await expect(items).toHaveCount(2);
  await expect(items.nth(0)).toContainText('seed 1: saved at step 3 of 40');
  await expect(items.nth(0)).toHaveAttribute('data-owner', 'this tab');
  await items.nth(0).getByTestId('resume-autosave').click();
  await expect(a.getByTestId('status-step')).toHaveText('3 / 40', { timeout: 60_000 });
  await stepTo(a, 4);
  expect(await storedSlots(a)).toEqual(['seed 1@4', 'seed 2@1']);

  expect(errors).toEqual([]);
});

// Chromium fixes an origin's quota when its storage is first used (a later override is ignored),
// and how much a save needs in a context's in-memory storage varies from run to run, so a quota
// that holds exactly one save is not reliable: this context starts with a one-byte quota, and its
// first save gets a real QuotaExceededError. The transaction aborts whole (a reload finds no half
// of it) and the page says what happened and what to do.
test('autosave: a full disk says so and what to do, and leaves nothing half-written', async ({ context, baseURL }) => {
  const errors: string[] = [];
  const page = await context.newPage();
  page.on('pageerror', (e) => errors.push(e.message));
  await (await context.newCDPSession(page)).send('Storage.overrideQuotaForOrigin', { origin: new URL(baseURL!).origin, quotaSize: 1 });
  await page.goto('/#preset=bert-micro&steps=40');
  await page.getByTestId('step-button').click();
  await expect(page.getByTestId('status-step')).toHaveText('1 / 40', { timeout: 120_000 });
  const status = page.getByTestId('autosave-status');
  await expect(status).toContainText("Autosave failed: this site's storage in the browser is full (QuotaExceededError)");
  await expect(status).toContainText('Download a checkpoint to keep it, or discard old autosaves');
  await expect(page.getByTestId('discard-other-autosaves')).toBeVisible();
  await page.reload();
  await expect(page.getByTestId('status-step')).toHaveText('0 / 40'); // loaded, nothing resumed
  await expect(page.getByTestId('resume-offer')).toHaveCount(0);
  expect(await storedSlots(page)).toEqual([]);
  expect(errors).toEqual([]);
});
