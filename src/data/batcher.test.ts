import { describe, expect, it } from 'vitest';
import {
  clearBatch, countEvalWindows, evalWindows, NO_TAG, sliceRows, trainBatch, unigramBaselineLoss, unigramCounts, type Batch, type TokenStream,
} from './batcher.ts';
import { readBrownNode, splitBrown } from './brown.ts';
import { encodeBrownDocs, lexiconCounts } from './dataset.ts';
import { CLS_ID, NO_WORD, PAD_ID, SEP_ID } from './tokenizer.ts';
import { learnWordPiece } from './wordpiece.ts';

/** A hand-made stream: 3 documents of 50, 300 and 20 tokens; every 3rd token starts a word. */
function toyStream(): TokenStream {
  const lens = [50, 300, 20];
  const N = lens.reduce((a, b) => a + b, 0);
  const s: TokenStream = {
    ids: new Uint32Array(N), wordStart: new Uint8Array(N), tags: new Uint16Array(N), wordIndex: new Uint32Array(N),
    docStarts: Uint32Array.from([0, 50, 350, 370]), docIds: ['d0', 'd1', 'd2'],
  };
  for (let i = 0; i < N; i++) {
    s.ids[i] = 5 + (i % 97);
    s.wordStart[i] = i % 3 === 0 || s.docStarts.includes(i) ? 1 : 0;
    s.tags[i] = i % 7;
  }
  let w = -1;
  for (let i = 0; i < N; i++) s.wordIndex[i] = s.wordStart[i] ? ++w : w;
  return s;
}

/** toyStream with units: word k belongs to unit ⌊k/3⌋·2 + (k%3 === 2), i.e. a 2-word unit then a single word. */
function toyUnits(): TokenStream {
  const s = toyStream();
  s.segment = Uint32Array.from(s.wordIndex, (w) => Math.floor(w / 3) * 2 + (w % 3 === 2 ? 1 : 0));
  return s;
}

/** Shapes and the [CLS] window [SEP] [PAD]… layout; the window is whole words of one document. */
function checkLayout(b: Batch, s: TokenStream) {
  const { B, T } = b;
  for (const a of [b.ids, b.attention, b.wordStart, b.tags, b.wordIndex, b.segment]) expect(a.length).toBe(B * T);
  for (let r = 0; r < B; r++) {
    const o = r * T;
    const len = b.lengths[r]!;
    expect(len).toBeGreaterThanOrEqual(3);
    expect(len).toBeLessThanOrEqual(T);
    expect(b.ids[o]).toBe(CLS_ID);
    expect(b.ids[o + len - 1]).toBe(SEP_ID);
    let ones = 0;
    for (let t = 0; t < T; t++) {
      ones += b.attention[o + t]!;
      expect(b.attention[o + t]).toBe(t < len ? 1 : 0);
      if (t >= len) expect([b.ids[o + t], b.tags[o + t], b.wordIndex[o + t], b.wordStart[o + t], b.segment[o + t]]).toEqual([PAD_ID, NO_TAG, NO_WORD, 0, NO_WORD]);
    }
    expect(ones).toBe(len);
    expect([b.wordStart[o], b.wordStart[o + len - 1]]).toEqual([0, 0]);
    const start = b.rowStart[r]!;
    const end = start + len - 2;
    const d = b.rowDoc[r]!;
    expect(start).toBeGreaterThanOrEqual(s.docStarts[d]!);
    expect(end).toBeLessThanOrEqual(s.docStarts[d + 1]!);
    expect(Array.from(b.ids.subarray(o + 1, o + len - 1))).toEqual(Array.from(s.ids.subarray(start, end)));
    expect(Array.from(b.tags.subarray(o + 1, o + len - 1))).toEqual(Array.from(s.tags.subarray(start, end)));
    // Units: the stream's, or the word index when it has none; NO_WORD at [CLS] and [SEP].
    expect(Array.from(b.segment.subarray(o + 1, o + len - 1))).toEqual(Array.from((s.segment ?? s.wordIndex).subarray(start, end)));
    expect([b.segment[o], b.segment[o + len - 1]]).toEqual([NO_WORD, NO_WORD]);
    checkRowUnits(b.segment.subarray(o + 1, o + len - 1), b.wordStart.subarray(o + 1, o + len - 1));
    expect(s.wordStart[start]).toBe(1); // never starts inside a word
    if (end < s.docStarts[d + 1]!) expect(s.wordStart[end]).toBe(1); // never ends inside a word
  }
}

/** Pieces of a word share its unit; a unit is one contiguous run in the row (ids never come back). */
function checkRowUnits(segment: Uint32Array, wordStart: Uint8Array) {
  const seen = new Set<number>();
  for (let t = 0; t < segment.length; t++) {
    if (!wordStart[t] && t > 0) expect(segment[t]).toBe(segment[t - 1]);
    if (t > 0 && segment[t] === segment[t - 1]) continue;
    expect(seen.has(segment[t]!)).toBe(false);
    seen.add(segment[t]!);
  }
}

describe('training batches', () => {
  const s = toyStream();

  it('lay out [CLS] window [SEP] [PAD]… with matching lengths, mask and per-token arrays', () => {
    const b = trainBatch(s, { seed: 1, step: 0, B: 32, T: 40 });
    checkLayout(b, s);
    expect(b.B).toBe(32);
    const docs = new Set(b.rowDoc);
    expect(docs.has(1)).toBe(true);
    // document 2 (20 tokens) is shorter than T−2: such a row is the whole document
    for (let r = 0; r < 32; r++) if (b.rowDoc[r] === 2) expect(b.lengths[r]).toBe(22);
  });

  it('are a pure function of (seed, step); another step or seed differs; row b ignores B', () => {
    const a = trainBatch(s, { seed: 1, step: 7, B: 16, T: 40 });
    expect(trainBatch(s, { seed: 1, step: 7, B: 16, T: 40 })).toEqual(a);
    expect(trainBatch(s, { seed: 1, step: 8, B: 16, T: 40 }).ids).not.toEqual(a.ids);
    expect(trainBatch(s, { seed: 2, step: 7, B: 16, T: 40 }).ids).not.toEqual(a.ids);
    expect(trainBatch(s, { seed: 1, step: 7, B: 4, T: 40 }).ids).toEqual(a.ids.subarray(0, 160));
    const reused = trainBatch(s, { seed: 1, step: 9, B: 16, T: 40 });
    expect(trainBatch(s, { seed: 1, step: 7, B: 16, T: 40 }, reused)).toBe(reused);
    expect(reused).toEqual(a);
    expect(() => trainBatch(s, { seed: 1, step: 7, B: 8, T: 40 }, reused)).toThrow(/out is \(16,40\)/);
    expect(() => trainBatch(s, { seed: 1, step: 0, B: 0, T: 40 })).toThrow(/positive integer/);
  });

  it('carry the stream\'s units (segment), and the word index when it has none', () => {
    const a = trainBatch(s, { seed: 1, step: 3, B: 16, T: 40 });
    expect(a.segment).toEqual(a.wordIndex);
    const u = toyUnits();
    const b = trainBatch(u, { seed: 1, step: 3, B: 16, T: 40 });
    checkLayout(b, u);
    expect(b.ids).toEqual(a.ids); // units change nothing else
    let multi = 0;
    for (let t = 1; t < b.B * b.T; t++) if (b.wordStart[t] && b.segment[t] === b.segment[t - 1]) multi++;
    expect(multi).toBeGreaterThan(0); // some rows hold a unit of two words
    trainBatch(u, { seed: 1, step: 4, B: 16, T: 40 }, b);
    checkLayout(b, u);
    expect(clearBatch(b).segment.every((x) => x === NO_WORD)).toBe(true);
  });
});

describe('eval windows', () => {
  const s = toyStream();

  it('are fixed, non-overlapping, whole words, round-robin over documents', () => {
    const e = evalWindows(s, 40, 6);
    checkLayout(e, s);
    expect(evalWindows(s, 40, 6)).toEqual(e);
    // T−2 = 38, word starts at multiples of 3 and at document starts (0, 50, 350):
    // doc 0 → [0,36) and a 14-token tail (< 19) dropped; doc 1 → [50,87) [87,123) … [303,339)
    // and an 11-token tail dropped; doc 2 (20 tokens) → [350,370).
    expect(Array.from(e.rowDoc)).toEqual([0, 1, 2, 1, 1, 1]);
    expect(Array.from(e.rowStart)).toEqual([0, 50, 350, 87, 123, 159]);
    expect(Array.from(e.lengths)).toEqual([38, 39, 22, 38, 38, 38]);
    expect(countEvalWindows(s, 40)).toBe(10);
    expect(() => evalWindows(s, 40, 11)).toThrow(/Asked for 11 eval windows.*hold 10 windows at T=40/);
    const part = sliceRows(e, 2, 3);
    expect([part.B, part.lengths[0], part.ids[0]]).toEqual([3, e.lengths[2], CLS_ID]);
    expect(part.rowDoc[0]).toBe(2);
    expect(part.segment).toEqual(e.segment.subarray(2 * 40, 5 * 40));
    expect(e.segment).toEqual(e.wordIndex);
  });

  it('carry the stream\'s units, in eval rows and in row slices', () => {
    const u = toyUnits();
    const e = evalWindows(u, 40, 6);
    checkLayout(e, u);
    expect(e.ids).toEqual(evalWindows(toyStream(), 40, 6).ids);
    const part = sliceRows(e, 3, 2);
    checkLayout(part, u);
    expect(Array.from(part.segment.subarray(1, 4))).toEqual(Array.from(u.segment!.subarray(87, 90)));
  });
});

describe('Brown batches', async () => {
  const corpus = await readBrownNode();
  const split = splitBrown(corpus);
  const tok = learnWordPiece(corpus.lexicon, lexiconCounts(corpus, split.train), { vocabSize: 1000 });
  const train = encodeBrownDocs(corpus, split.train, tok);
  const held = encodeBrownDocs(corpus, split.heldOut, tok);

  it('are mostly full rows from training documents', () => {
    const T = 64;
    const b = trainBatch(train, { seed: 3, step: 11, B: 256, T });
    checkLayout(b, train);
    const full = Array.from(b.lengths).filter((l) => l >= T - 3).length;
    const mean = b.lengths.reduce((a, c) => a + c, 0) / b.B;
    console.log(`Brown T=${T}: ${full}/256 rows within 3 tokens of full, mean length ${mean.toFixed(1)}`);
    expect(full / 256).toBeGreaterThan(0.9);
    for (let r = 0; r < b.B; r++) expect(split.heldOut.map((d) => corpus.docs[d]!.id)).not.toContain(train.docIds[b.rowDoc[r]!]);
  });

  it('eval windows come from held-out documents only and cover every one', () => {
    const e = evalWindows(held, 128, 100);
    checkLayout(e, held);
    const ids = new Set(Array.from(e.rowDoc, (d) => held.docIds[d]));
    expect(ids.size).toBe(50);
    for (const id of ids) expect(split.heldOut.map((d) => corpus.docs[d]!.id)).toContain(id);
    // tags and word indices point back into the corpus
    for (let t = 1; t < e.lengths[0]! - 1; t++) expect(e.tags[t]).toBe(corpus.tagIds[e.wordIndex[t]!]);
  });
});

describe('unigram baseline', () => {
  it('counts ids and equals the hand-computed add-one loss', () => {
    // V = 8: ordinary ids 5, 6, 7 with counts 3, 1, 0 (the specials are ignored).
    const counts = unigramCounts(Uint32Array.from([5, 5, 6, 5, 2, 3]), 8);
    expect(Array.from(counts)).toEqual([0, 0, 1, 1, 0, 3, 1, 0]);
    // p = (count+1) / (4 + 3): p5 = 4/7, p6 = 2/7, p7 = 1/7; the weight-0 position is not scored.
    const loss = unigramBaselineLoss(counts, Uint32Array.from([5, 6, 7, 5]), Float32Array.from([1, 1, 0, 1]));
    expect(loss).toBeCloseTo((-2 * Math.log(4 / 7) - Math.log(2 / 7)) / 3, 12);
    const weighted = unigramBaselineLoss(counts, Uint32Array.from([5, 7]), Float32Array.from([3, 1]));
    expect(weighted).toBeCloseTo((-3 * Math.log(4 / 7) - Math.log(1 / 7)) / 4, 12);
    expect(() => unigramBaselineLoss(counts, Uint32Array.from([4]), Float32Array.from([1]))).toThrow(/target 4 at position 0/);
    expect(() => unigramBaselineLoss(counts, Uint32Array.from([5]), Float32Array.from([0]))).toThrow(/all weights are 0/);
    expect(() => unigramCounts(Uint32Array.from([9]), 8)).toThrow(/token id 9 at position 0 is ≥ V=8/);
  });
});
