// The pure autosave rules: slot keys, eviction order, the offer's order and owners, and what a
// failed save says. The IndexedDB side (one transaction per save, the real quota abort) runs in
// e2e/autosave.spec.ts: Node has no IndexedDB.
import { describe, expect, it } from 'vitest';
import { AUTOSAVE_KEEP, autosaveFailure, evictions, isQuotaError, LEGACY_KEY, newestFirst, offersFrom, slotKey, tabIdFrom, type SlotMeta } from './autosave-slots.ts';

const slot = (key: string, savedAt: string, tabId = 'aaaa0001'): SlotMeta => ({ key, tabId, label: `run ${key}`, step: 1, steps: 40, savedAt });
/** Slot i saved at minute i: a higher index is newer. */
const at = (i: number): string => new Date(Date.UTC(2025, 0, 1, 0, i)).toISOString();

describe('autosave slots', () => {
  it('slot keys are unique per tab and run, even for runs started in the same millisecond', () => {
    const t = new Date('2025-01-01T00:00:00.000Z');
    const keys = new Set([slotKey('aaaa0001', t, 0), slotKey('aaaa0001', t, 1), slotKey('bbbb0002', t, 0)]);
    expect(keys.size).toBe(3);
    expect(slotKey('aaaa0001', t, 0)).toBe('aaaa0001/2025-01-01T00:00:00.000Z/0');
    expect(tabIdFrom(new Uint8Array([0, 15, 160, 255, 9]))).toBe('000fa0ff');
  });

  it('lists newest first, ties by key, whatever the stored order', () => {
    const slots = [slot('b', at(1)), slot('c', at(3)), slot('a', at(1)), slot('d', at(2))];
    expect(newestFirst(slots).map((s) => s.key)).toEqual(['c', 'd', 'a', 'b']);
    expect(newestFirst([...slots].reverse()).map((s) => s.key)).toEqual(['c', 'd', 'a', 'b']);
  });

  it(`keeps the newest ${AUTOSAVE_KEEP} and evicts the oldest beyond them`, () => {
    const slots = Array.from({ length: 8 }, (_, i) => slot(`s${i}`, at(i)));
    expect(evictions(slots, AUTOSAVE_KEEP, new Set(['s7']))).toEqual(['s2', 's1', 's0']);
    expect(evictions(slots.slice(0, AUTOSAVE_KEEP), AUTOSAVE_KEEP, new Set(['s4']))).toEqual([]);
  });

  it('never evicts a protected slot (the one written, live tabs’) and counts it toward the bound', () => {
    const slots = Array.from({ length: 7 }, (_, i) => slot(`s${i}`, at(i)));
    // s0 is the oldest but a live tab writes it; s6 was just written: 5 kept = s0, s6, s5, s4, s3.
    expect(evictions(slots, 5, new Set(['s6', 's0']))).toEqual(['s2', 's1']);
    // More protected slots than the bound: all of them stay, every other slot goes.
    expect(evictions(slots, 2, new Set(['s0', 's1', 's6']))).toEqual(['s5', 's4', 's3', 's2']);
  });

  it("offers every run newest first and says whose it is", () => {
    const slots = [slot('mine', at(1), 'tabA'), slot('theirs', at(3), 'tabB'), slot('live', at(2), 'tabC'), { ...slot(LEGACY_KEY, at(0), ''), label: 'old' }];
    const offer = offersFrom(slots, 'tabA', new Set(['live']));
    expect(offer.map((o) => [o.key, o.owner])).toEqual([
      ['theirs', 'another tab'],
      ['live', 'open in another tab'],
      ['mine', 'this tab'],
      [LEGACY_KEY, 'an earlier version'],
    ]);
  });

  it('a full disk says so, that the last save is kept, and what to do', () => {
    const quota = new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    expect(isQuotaError(quota)).toBe(true);
    expect(isQuotaError({ name: 'UnknownError', message: 'Quota exceeded while committing' })).toBe(true);
    expect(isQuotaError(new DOMException('gone', 'AbortError'))).toBe(false);
    expect(isQuotaError(null)).toBe(false);
    const m = autosaveFailure(quota, 12);
    expect(m).toContain('storage in the browser is full');
    expect(m).toContain('its autosave at step 12 is kept');
    expect(m).toContain('Download a checkpoint');
    expect(m).toContain('discard old autosaves');
    expect(autosaveFailure(new Error('VersionError: newer schema'), null)).toBe(
      'Autosave failed: VersionError: newer schema. The run is still here and this run has no autosave yet. Download a checkpoint to keep it.',
    );
    expect(autosaveFailure('weird', null)).toContain('Autosave failed: weird.');
  });
});
