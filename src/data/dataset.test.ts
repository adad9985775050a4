import { describe, expect, it } from 'vitest';
import { unigramBaselineLoss, type Batch } from './batcher.ts';
import { encodeBrownCompact, readBrownNode } from './brown.ts';
import { buildDataset, type Dataset } from './dataset.ts';
import { findEntry } from './pmi.ts';
import { NO_WORD, NUM_SPECIAL } from './tokenizer.ts';

const corpus = await readBrownNode();

/** Per token: the Brown tag of its word; pieces of a word share its index; rows decode to their words. */
function checkAlignment(ds: Dataset, b: Batch) {
  for (let r = 0; r < b.B; r++) {
    const o = r * b.T;
    const len = b.lengths[r]!;
    const words: string[] = [];
    for (let t = o + 1; t < o + len - 1; t++) {
      const w = b.wordIndex[t]!;
      expect(b.tags[t]).toBe(corpus.tagIds[w]);
      if (b.wordStart[t]) words.push(corpus.lexicon[corpus.wordIds[w]!]!);
      else expect(b.wordIndex[t - 1]).toBe(w);
    }
    expect(b.wordIndex[o]).toBe(NO_WORD);
    expect([b.segment[o], b.segment[o + len - 1]]).toEqual([NO_WORD, NO_WORD]);
    if (!ds.pmiLexicon) expect(b.segment.subarray(o, o + b.T)).toEqual(b.wordIndex.subarray(o, o + b.T));
    else checkUnits(ds, b.segment.subarray(o + 1, o + len - 1), b.wordIndex.subarray(o + 1, o + len - 1));
    expect(ds.tokenizer.decode(b.ids.subarray(o, o + len), { skipSpecial: true })).toBe(words.join(' ').toLowerCase());
  }
}

/**
 * PMI units in one row (tokens between [CLS] and [SEP]): pieces of a word share its unit; a unit
 * is one contiguous run; a run of several words that the row does not cut is a lexicon entry.
 */
function checkUnits(ds: Dataset, segment: Uint32Array, wordIndex: Uint32Array) {
  const seen = new Set<number>();
  for (let i = 0; i < segment.length; ) {
    let j = i + 1;
    while (j < segment.length && segment[j] === segment[i]) j++;
    expect(seen.has(segment[i]!)).toBe(false);
    seen.add(segment[i]!);
    for (let t = i + 1; t < segment.length; t++) if (wordIndex[t] === wordIndex[i]) expect(segment[t]).toBe(segment[i]);
    const words = [...new Set(wordIndex.subarray(i, j))].map((w) => corpus.lexicon[corpus.wordIds[w]!]!);
    if (words.length > 1 && i > 0 && j < segment.length) expect(findEntry(ds.pmiLexicon!, words.join(' ')), words.join(' ')).toBeDefined();
    i = j;
  }
}

describe('buildDataset: Brown', () => {
  const ds = buildDataset('brown', { tokenizer: 'wordpiece', vocabSize: 1500, seed: 9, T: 64, evalCount: 128 }, { brown: corpus });

  it('builds the splits, vocabulary, eval set and unigram counts', () => {
    console.log('Brown wordpiece-1500 dataset:', JSON.stringify(ds.stats, (_, v: unknown) => (typeof v === 'number' ? Math.round(v) : v)));
    expect(ds.tokenizer.vocabSize).toBe(1500);
    expect([ds.stats.trainDocs, ds.stats.heldOutDocs]).toEqual([450, 50]);
    expect(ds.train!.docIds.length).toBe(450);
    expect(ds.stats.trainTokens).toBe(ds.train!.ids.length);
    expect([ds.evalSet.B, ds.evalSet.T]).toEqual([128, 64]);
    expect(ds.unigram.length).toBe(1500);
    expect(ds.unigram.reduce((a, b) => a + b, 0)).toBe(ds.train!.ids.length);
    expect(ds.tagNames[0]).toBe('nn');
  });

  it('keeps tags, word starts and word indices aligned with the tokens in a batch', () => {
    const b = ds.batch(4, 8);
    expect(ds.batch(4, 8)).toEqual(b);
    checkAlignment(ds, b);
  });

  it('gives a unigram baseline around the entropy of the unigram distribution', () => {
    const e = ds.evalSet;
    const weights = new Float32Array(e.ids.length);
    for (let i = 0; i < e.ids.length; i++) if (e.ids[i]! >= NUM_SPECIAL && i % 7 === 0) weights[i] = 1;
    const loss = unigramBaselineLoss(ds.unigram, e.ids, weights);
    console.log(`unigram baseline on held-out WordPiece-1500 tokens: ${loss.toFixed(3)} nats`);
    expect(loss).toBeGreaterThan(4);
    expect(loss).toBeLessThan(Math.log(1500));
  });

  it('builds from the compact text too, and with the char tokenizer', () => {
    const text = encodeBrownCompact(corpus, 'test');
    const a = buildDataset('brown', { tokenizer: 'char', seed: 1, T: 48, evalCount: 16 }, { brownText: text });
    expect(a.tokenizer.kind).toBe('char');
    expect(a.tokenizer.vocabSize).toBeLessThan(200);
    checkAlignment(a, a.evalSet);
    checkAlignment(a, a.batch(0, 8));
  }, 60_000); // the whole of Brown, twice: seconds on a busy machine

  it('says what is missing or wrong', () => {
    expect(() => buildDataset('brown', { tokenizer: 'wordpiece', seed: 1, T: 64 })).toThrow(/needs the corpus: pass load.brownText/);
    expect(() => buildDataset('wiki' as 'brown', { tokenizer: 'wordpiece', seed: 1, T: 64 })).toThrow(/Unknown data source "wiki"/);
    expect(() => buildDataset('brown', { tokenizer: 'wordpiece', vocabSize: 100, seed: 1, T: 64 }, { brown: corpus })).toThrow(/vocabSize 100 is out of range/);
    expect(() => buildDataset('brown', { tokenizer: 'bpe' as 'char', seed: 1, T: 64 }, { brown: corpus })).toThrow(/Unknown tokenizer "bpe"/);
    expect(() => buildDataset('brown', { tokenizer: 'char', seed: -1, T: 64 }, { brown: corpus })).toThrow(/seed -1/);
    expect(() => buildDataset('brown', { tokenizer: 'char', seed: 1, T: 2 }, { brown: corpus })).toThrow(/T=2/);
  });
});

describe('buildDataset: Brown with PMI units', () => {
  const pmi = { minCount: 5, lexiconSize: 5000, seed: 4 };
  const ds = buildDataset('brown', { tokenizer: 'wordpiece', vocabSize: 1500, seed: 9, T: 64, evalCount: 128, pmi }, { brown: corpus });

  it('learns the lexicon on the training split and segments both splits', () => {
    console.log('Brown wordpiece-1500 + PMI dataset:', JSON.stringify(ds.stats));
    const s = ds.stats.pmi!;
    expect(s.entries).toBe(5000);
    expect(s.coverage).toBeGreaterThan(0.15);
    expect(s.coverage).toBeLessThan(0.5);
    expect(ds.pmiLexicon!.entries.length).toBe(5000);
    for (const stream of [ds.train!, ds.heldOut!]) {
      const seg = stream.segment!;
      expect(seg.length).toBe(stream.ids.length);
      expect(seg[0]).toBe(0);
      let multi = 0;
      let jumps = 0; // global ids: contiguous units, numbered along the stream
      for (let i = 1; i < seg.length; i++) {
        if (seg[i]! - seg[i - 1]! > 1) jumps++;
        if (stream.wordStart[i] && seg[i] === seg[i - 1]) multi++;
      }
      expect([jumps, multi > 0]).toEqual([0, true]);
    }
  });

  it('carries units into training batches and eval windows; the tokens are those without PMI', () => {
    const b = ds.batch(4, 16);
    checkAlignment(ds, b);
    checkAlignment(ds, ds.evalSet);
    const plain = buildDataset('brown', { tokenizer: 'char', seed: 9, T: 64, evalCount: 16 }, { brown: corpus });
    const withUnits = buildDataset('brown', { tokenizer: 'char', seed: 9, T: 64, evalCount: 16, pmi }, { brown: corpus });
    expect(withUnits.batch(2, 8).ids).toEqual(plain.batch(2, 8).ids);
    expect(withUnits.evalSet.ids).toEqual(plain.evalSet.ids);
    expect(plain.stats.pmi).toBeUndefined();
    // Units are per word: the same for any tokenizer (one id per word start).
    const perWord = (st: NonNullable<Dataset['train']>) => st.segment!.filter((_, i) => st.wordStart[i] === 1);
    expect(perWord(withUnits.train!)).toEqual(perWord(ds.train!));
    checkAlignment(withUnits, withUnits.batch(2, 8));
    expect(() => buildDataset('brown', { tokenizer: 'char', seed: 1, T: 64, pmi: { ...pmi, seed: -2 } }, { brown: corpus })).toThrow(/pmi.seed -2/);
  }, 60_000);
});

describe('buildDataset: synthetic', () => {
  it('successor and copy datasets: symbol vocabulary, generated batches, fixed eval set', () => {
    for (const source of ['synthetic-successor', 'synthetic-copy'] as const) {
      const ds = buildDataset(source, { tokenizer: 'wordpiece', seed: 3, T: 32, symbols: 10, evalCount: 64 });
      expect(ds.tokenizer.vocabSize).toBe(15);
      expect(ds.train).toBeNull();
      expect([ds.evalSet.B, ds.evalSet.T]).toEqual([64, 32]);
      expect(ds.batch(2, 4)).toEqual(ds.batch(2, 4));
      expect(ds.batch(2, 4).ids).not.toEqual(ds.batch(3, 4).ids);
      expect(ds.batch(2, 4).segment).toEqual(ds.batch(2, 4).wordIndex); // every symbol its own unit
      expect(ds.evalSet.segment).toEqual(ds.evalSet.wordIndex);
      expect(ds.unigram.subarray(0, NUM_SPECIAL).every((c) => c === 0)).toBe(true);
      expect(ds.unigram.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
      // Uniform symbols: the baseline is close to log S.
      const w = Float32Array.from(ds.evalSet.ids, (id) => (id >= NUM_SPECIAL ? 1 : 0));
      expect(unigramBaselineLoss(ds.unigram, ds.evalSet.ids, w)).toBeCloseTo(Math.log(10), 1);
    }
  });
});
