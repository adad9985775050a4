// groupUnits: the runs the mask view outlines. Each case is a row shape seen in real strategies
// (whole-word masking, spans, BERT's independent tokens).
import { describe, expect, it } from 'vitest';
import { groupUnits, pieceLabel } from './mask-groups.ts';

describe('groupUnits', () => {
  it('outlines a whole masked word between plain runs', () => {
    // "the play ##ing cat": "play ##ing" is unit 3, masked as [MASK] + kept
    expect(groupUnits([0, 1, 3, 0], [-1, 3, 3, -1])).toEqual([
      { start: 0, end: 1, kind: 'plain' },
      { start: 1, end: 3, kind: 'unit' },
      { start: 3, end: 4, kind: 'plain' },
    ]);
  });

  it('splits two adjacent masked units with different ids', () => {
    expect(groupUnits([1, 1, 2, 1], [5, 5, 6, 6])).toEqual([
      { start: 0, end: 2, kind: 'unit' },
      { start: 2, end: 4, kind: 'unit' },
    ]);
  });

  it('does not join a unit that an unmasked token interrupts', () => {
    expect(groupUnits([1, 0, 1], [2, -1, 2])).toEqual([
      { start: 0, end: 1, kind: 'unit' },
      { start: 1, end: 2, kind: 'plain' },
      { start: 2, end: 3, kind: 'unit' },
    ]);
    // Even if the record repeats the id on the unmasked token, the kind decides.
    expect(groupUnits([1, 0, 1], [2, 2, 2]).map((g) => g.kind)).toEqual(['unit', 'plain', 'unit']);
  });

  it('returns one plain run for an all-unmasked row, and nothing for an empty row', () => {
    expect(groupUnits([0, 0, 0, 0], [-1, -1, -1, -1])).toEqual([{ start: 0, end: 4, kind: 'plain' }]);
    expect(groupUnits([], [])).toEqual([]);
  });

  it('treats −1 as "no unit": masked tokens without an id stay one-token units', () => {
    expect(groupUnits([1, 2, 3], [-1, -1, -1])).toEqual([
      { start: 0, end: 1, kind: 'unit' },
      { start: 1, end: 2, kind: 'unit' },
      { start: 2, end: 3, kind: 'unit' },
    ]);
  });

  it('ignores a unit id on an unmasked token and tolerates a short units array', () => {
    // An unmasked token is plain even if the record carries an id; missing ids read as −1.
    expect(groupUnits([0, 1, 1], [7, 7])).toEqual([
      { start: 0, end: 1, kind: 'plain' },
      { start: 1, end: 2, kind: 'unit' },
      { start: 2, end: 3, kind: 'unit' },
    ]);
  });

  it('covers every position exactly once, in order', () => {
    const kinds = [0, 1, 1, 0, 0, 2, 3, 3, 0, 1];
    const units = [-1, 0, 0, -1, -1, 1, 1, 2, -1, -1];
    const groups = groupUnits(kinds, units);
    let next = 0;
    for (const g of groups) {
      expect(g.start).toBe(next);
      expect(g.end).toBeGreaterThan(g.start);
      next = g.end;
    }
    expect(next).toBe(kinds.length);
    expect(groups.filter((g) => g.kind === 'unit').map((g) => [g.start, g.end])).toEqual([
      [1, 3],
      [5, 7],
      [7, 8],
      [9, 10],
    ]);
  });
});

describe('pieceLabel', () => {
  it('attaches WordPiece continuations and keeps ordinary tokens and specials as they are', () => {
    expect(pieceLabel('##ing')).toEqual({ text: 'ing', cont: true });
    expect(pieceLabel('play')).toEqual({ text: 'play', cont: false });
    expect(pieceLabel('[MASK]')).toEqual({ text: '[MASK]', cont: false });
    // "##" alone is a symbol (e.g. of a synthetic corpus), not an empty continuation.
    expect(pieceLabel('##')).toEqual({ text: '##', cont: false });
  });

  it('makes whitespace and empty tokens visible', () => {
    expect(pieceLabel(' ').text).toBe('␣');
    expect(pieceLabel('\n').text).toBe('↵');
    expect(pieceLabel('').text).toBe('∅');
  });
});
