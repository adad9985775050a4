import { describe, expect, it } from 'vitest';
import { readBrownNode, splitBrown } from './brown.ts';
import { lexiconCounts } from './dataset.ts';
import { CLS_ID, MASK_ID, PAD_ID, SEP_ID, SPECIAL_TOKENS, tokenizerFromVocab, UNK_ID } from './tokenizer.ts';
import { learnWordPiece } from './wordpiece.ts';

const corpus = await readBrownNode();
const split = splitBrown(corpus);
const trainCounts = lexiconCounts(corpus, split.train);
/** Held-out words in corpus order (first n). */
const heldOutWords = (n: number) => {
  const out: string[] = [];
  for (const d of split.heldOut) {
    for (let w = corpus.docs[d]!.start; w < corpus.docs[d]!.end && out.length < n; w++) out.push(corpus.lexicon[corpus.wordIds[w]!]!);
  }
  return out;
};

describe('WordPiece learning', () => {
  it('rejects vocabulary sizes outside 256..32768, naming the value and the range', () => {
    for (const v of [255, 32769, 1000.5, 0]) {
      expect(() => learnWordPiece(['the'], null, { vocabSize: v })).toThrow(new RegExp(`vocabSize ${v} is out of range: use an integer from 256 to 32768`));
    }
    expect(() => learnWordPiece([], null, { vocabSize: 300 })).toThrow(/no words to learn from/);
  });

  it('merges the most frequent pair first, ties to the smaller symbol ids, and stops when pairs run out', () => {
    // The classic BPE example: ##e ##s and ##s ##t both occur 9 times; ##e < ##s, so ##es first.
    const tok = learnWordPiece(['low', 'lower', 'newest', 'widest'], [5, 2, 6, 3], { vocabSize: 256 });
    const vocab = tok.toVocabText().trimEnd().split('\n');
    expect(vocab.slice(0, 5)).toEqual([...SPECIAL_TOKENS]);
    const chars = 'deilnorstw'.split('');
    expect(vocab.slice(5, 25)).toEqual([...chars, ...chars.map((c) => '##' + c)]);
    expect(vocab.slice(25, 27)).toEqual(['##es', '##est']);
    expect(vocab).toContain('low');
    expect(vocab).toContain('newest');
    expect(tok.vocabSize).toBeLessThan(256); // tiny corpus: no pair seen twice is left
    const again = learnWordPiece(['widest', 'newest', 'lower', 'low'], [3, 6, 2, 5], { vocabSize: 256 });
    expect(again.toVocabText()).toBe(tok.toVocabText()); // input order does not matter
  });

  it('learns exactly 8k tokens on the Brown training split, fast', () => {
    const t0 = performance.now();
    const tok = learnWordPiece(corpus.lexicon, trainCounts, { vocabSize: 8192 });
    const ms = performance.now() - t0;
    console.log(`WordPiece 8192 on Brown train (${split.train.length} docs, ${trainCounts.reduce((a, b) => a + b, 0)} words): ${ms.toFixed(0)} ms`);
    expect(tok.vocabSize).toBe(8192);
    expect(ms).toBeLessThan(10_000);
    const vocab = tok.toVocabText().split('\n');
    expect(vocab.length).toBe(8193); // trailing newline
    expect(vocab.slice(0, 5)).toEqual(['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]']);
    expect(vocab).toContain('the');
    expect(vocab).toContain('##ing');

    // Tokenizing the whole training split word by word (no per-word cache) takes seconds at most.
    const words: string[] = [];
    for (const d of split.train) for (let w = corpus.docs[d]!.start; w < corpus.docs[d]!.end; w++) words.push(corpus.lexicon[corpus.wordIds[w]!]!);
    const t1 = performance.now();
    const enc = tok.encodeWords(words);
    const encMs = performance.now() - t1;
    console.log(`encodeWords on the training split: ${words.length} words → ${enc.ids.length} tokens in ${encMs.toFixed(0)} ms`);
    expect(encMs).toBeLessThan(10_000);
    expect(enc.wordStart.reduce((a, b) => a + b, 0)).toBe(words.length);
  }, 60_000);

  it('learns 1k on a 20k-word sample quickly and deterministically', () => {
    const sample = heldOutWords(20_000);
    const t0 = performance.now();
    const a = learnWordPiece(sample, null, { vocabSize: 1000 });
    const ms = performance.now() - t0;
    console.log(`WordPiece 1000 on a 20k-word sample: ${ms.toFixed(0)} ms`);
    expect(ms).toBeLessThan(3000);
    expect(a.vocabSize).toBe(1000);
    expect(learnWordPiece(sample, null, { vocabSize: 1000 }).toVocabText()).toBe(a.toVocabText());
  });
});

describe('WordPiece encoding', () => {
  const tok = learnWordPiece(corpus.lexicon, trainCounts, { vocabSize: 2000 });

  it('round-trips held-out words (lowercased, ## joined)', () => {
    const words = heldOutWords(5000);
    const enc = tok.encodeWords(words);
    const unk = enc.ids.filter((id) => id === UNK_ID).length;
    expect(unk).toBeLessThan(5);
    const known = words.filter((w) => tok.encodeWords([w]).ids[0] !== UNK_ID);
    expect(tok.decode(tok.encodeWords(known).ids)).toBe(known.join(' ').toLowerCase());
    expect(enc.ids.length).toBeGreaterThan(words.length);
  });

  it('flags word starts and word indices per token', () => {
    const enc = tok.encodeWords(['The', 'unbelievably', 'jury', '[MASK]', '.']);
    const pieces = Array.from(enc.ids, (id) => tok.idToToken(id));
    expect(pieces[0]).toBe('the');
    expect(pieces.slice(1).filter((p) => p.startsWith('##')).length).toBeGreaterThan(0);
    for (let i = 0; i < pieces.length; i++) {
      expect(enc.wordStart[i]).toBe(pieces[i]!.startsWith('##') ? 0 : 1);
      if (i > 0) expect(enc.wordIndex[i]! - enc.wordIndex[i - 1]!).toBe(enc.wordStart[i]);
    }
    expect(Array.from(enc.ids).includes(MASK_ID)).toBe(true);
    expect(enc.wordIndex[enc.wordIndex.length - 1]).toBe(4);
  });

  it('maps a word with an unseen character to one [UNK] (BERT), keeping alignment', () => {
    const enc = tok.encodeWords(['café™', 'the', '日本']);
    expect(Array.from(enc.ids)).toEqual([UNK_ID, tok.tokenToId('the'), UNK_ID]);
    expect(Array.from(enc.wordStart)).toEqual([1, 1, 1]);
    expect(Array.from(enc.wordIndex)).toEqual([0, 1, 2]);
    expect(tok.encodeWords(['a'.repeat(101)]).ids[0]).toBe(UNK_ID);
    expect(() => tok.encodeWords(['the', ''])).toThrow(/word 1 is empty/);
  });

  it('decodes specials and serialises to vocab.txt and back', () => {
    const ids = [CLS_ID, ...tok.encodeWords(['Hello', 'world']).ids, SEP_ID, PAD_ID, PAD_ID];
    expect(tok.decode(ids)).toBe('[CLS] hello world [SEP]');
    expect(tok.decode(ids, { skipSpecial: true })).toBe('hello world');
    const back = tokenizerFromVocab('wordpiece', tok.toVocabText(), { lowercase: true });
    const words = heldOutWords(2000);
    expect(back.encodeWords(words).ids).toEqual(tok.encodeWords(words).ids);
    expect(back.vocabSize).toBe(2000);
  });

  it('keeps case when lowercase is off', () => {
    const cased = learnWordPiece(heldOutWords(20_000), null, { vocabSize: 1000, lowercase: false });
    expect(cased.decode(cased.encodeWords(['The', 'Fulton']).ids)).toBe('The Fulton');
  });
});
