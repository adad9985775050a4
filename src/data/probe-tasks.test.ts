import { describe, expect, it } from 'vitest';
import { readBrownNode } from './brown.ts';
import { buildDataset } from './dataset.ts';
import { buildProbeSet, majorityBaseline, probesUnavailable, PROBE_TASKS, scorePredictions } from './probe-tasks.ts';
import { UNIVERSAL_TAGS, universalTag } from './universal-pos.ts';
import { NO_TAG } from './batcher.ts';

describe('probe tasks on Brown', async () => {
  const brown = await readBrownNode();
  const ds = buildDataset('brown', { tokenizer: 'wordpiece', vocabSize: 1000, seed: 1, T: 32 }, { brown });
  const corpus = { source: 'brown', train: ds.train, heldOut: ds.heldOut, tagNames: ds.tagNames };
  const set = buildProbeSet(corpus, ['pos', 'genre'], { T: 32 });

  it('takes train rows from training documents and test rows from held-out documents only', () => {
    const trainDocs = new Set(ds.train!.docIds);
    const heldDocs = new Set(ds.heldOut!.docIds);
    expect([...trainDocs].some((d) => heldDocs.has(d))).toBe(false);
    expect(set.train.rows.B).toBe(256);
    expect(set.test.rows.B).toBe(128);
    for (let b = 0; b < set.train.rows.B; b++) expect(trainDocs.has(ds.train!.docIds[set.train.rows.rowDoc[b]!]!)).toBe(true);
    for (let b = 0; b < set.test.rows.B; b++) expect(heldDocs.has(ds.heldOut!.docIds[set.test.rows.rowDoc[b]!]!)).toBe(true);
  });

  it('POS examples are whole words (a word start up to the next start or [SEP]) labelled with the universal tag', () => {
    const { rows, examples } = set.test;
    const pos = examples.pos!;
    expect(pos.labels.length).toBeGreaterThan(1000);
    for (let k = 0; k < pos.labels.length; k++) {
      const [first, len] = [pos.segments[2 * k]!, pos.segments[2 * k + 1]!];
      const b = Math.floor(first / rows.T);
      expect(rows.wordStart[first]).toBe(1);
      for (let j = 1; j < len; j++) expect(rows.wordStart[first + j]).toBe(0);
      const after = first + len;
      expect(rows.wordStart[after] === 1 || after === b * rows.T + rows.lengths[b]! - 1).toBe(true);
      expect(rows.tags[first]).not.toBe(NO_TAG);
      expect(UNIVERSAL_TAGS[pos.labels[k]!]).toBe(universalTag(ds.tagNames[rows.tags[first]!]!));
    }
  });

  it('genre examples are one per row (its tokens between [CLS] and [SEP]) labelled with the document category', () => {
    const { rows, examples } = set.test;
    const g = examples.genre!;
    const classes = PROBE_TASKS.find((t) => t.id === 'genre')!.classes;
    expect(g.labels.length).toBe(rows.B);
    expect(new Set(g.labels).size).toBe(15); // the held-out rows cover every genre
    for (let b = 0; b < rows.B; b++) {
      expect([g.segments[2 * b], g.segments[2 * b + 1]]).toEqual([b * rows.T + 1, rows.lengths[b]! - 2]);
      const doc = brown.docs.find((d) => d.id === ds.heldOut!.docIds[rows.rowDoc[b]!])!;
      expect(classes[g.labels[b]!]).toBe(doc.category);
    }
  });

  it('is the same set for every run (fixed seed), and caps POS examples', () => {
    const again = buildProbeSet(corpus, ['pos'], { T: 32 });
    expect(again.train.examples.pos!.labels).toEqual(set.train.examples.pos!.labels);
    expect(Array.from(again.train.rows.ids)).toEqual(Array.from(set.train.rows.ids));
    expect(buildProbeSet(corpus, ['pos'], { T: 32, maxWords: { train: 100, test: 50 } }).test.examples.pos!.labels.length).toBe(50);
    expect(Object.keys(again.train.examples)).toEqual(['pos']);
  });

  it('refuses data without labels with the reason, and unknown tasks', () => {
    expect(probesUnavailable('brown')).toBeNull();
    expect(probesUnavailable('text')).toMatch(/Your own text has no labels/);
    expect(probesUnavailable('synthetic-copy')).toMatch(/synthetic tasks have no probe task/);
    expect(() => buildProbeSet({ ...corpus, source: 'text' }, ['pos'], { T: 32 })).toThrow(/no labels/);
    expect(() => buildProbeSet(corpus, ['ner'], { T: 32 })).toThrow(/Unknown probe task "ner": use pos, genre/);
  });
});

describe('scores', () => {
  it('accuracy and macro-F1 (classes present or predicted), and the majority baseline', () => {
    const labels = Uint32Array.from([0, 0, 0, 1, 1, 2]);
    const pred = Uint32Array.from([0, 0, 1, 1, 1, 0]);
    const s = scorePredictions(pred, labels, 4);
    expect(s.accuracy).toBeCloseTo(4 / 6, 12);
    // F1: class 0 = 2·2/(3+3), class 1 = 2·2/(3+2), class 2 = 0; class 3 never seen: skipped.
    expect(s.macroF1).toBeCloseTo((2 / 3 + 4 / 5 + 0) / 3, 12);
    const m = majorityBaseline(Uint32Array.from([1, 1, 0]), labels, 4);
    expect(m.cls).toBe(1);
    expect(m.accuracy).toBeCloseTo(2 / 6, 12);
    expect(m.macroF1).toBeCloseTo((0 + (2 * 2) / (6 + 2) + 0) / 3, 12);
  });
});
