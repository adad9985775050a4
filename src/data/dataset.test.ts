import { describe, expect, it } from 'vitest';
import { unigramBaselineLoss, type Batch } from './batcher.ts';
import { encodeBrownCompact, readBrownNode } from './brown.ts';
import { buildDataset, type Dataset } from './dataset.ts';
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
    expect(ds.tokenizer.decode(b.ids.subarray(o, o + len), { skipSpecial: true })).toBe(words.join(' ').toLowerCase());
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
  });

  it('says what is missing or wrong', () => {
    expect(() => buildDataset('brown', { tokenizer: 'wordpiece', seed: 1, T: 64 })).toThrow(/needs the corpus: pass load.brownText/);
    expect(() => buildDataset('wiki' as 'brown', { tokenizer: 'wordpiece', seed: 1, T: 64 })).toThrow(/Unknown data source "wiki"/);
    expect(() => buildDataset('brown', { tokenizer: 'wordpiece', vocabSize: 100, seed: 1, T: 64 }, { brown: corpus })).toThrow(/vocabSize 100 is out of range/);
    expect(() => buildDataset('brown', { tokenizer: 'bpe' as 'char', seed: 1, T: 64 }, { brown: corpus })).toThrow(/Unknown tokenizer "bpe"/);
    expect(() => buildDataset('brown', { tokenizer: 'char', seed: -1, T: 64 }, { brown: corpus })).toThrow(/seed -1/);
    expect(() => buildDataset('brown', { tokenizer: 'char', seed: 1, T: 2 }, { brown: corpus })).toThrow(/T=2/);
  });
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
      expect(ds.unigram.subarray(0, NUM_SPECIAL).every((c) => c === 0)).toBe(true);
      expect(ds.unigram.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
      // Uniform symbols: the baseline is close to log S.
      const w = Float32Array.from(ds.evalSet.ids, (id) => (id >= NUM_SPECIAL ? 1 : 0));
      expect(unigramBaselineLoss(ds.unigram, ds.evalSet.ids, w)).toBeCloseTo(Math.log(10), 1);
    }
  });
});
