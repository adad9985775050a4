import { describe, expect, it } from 'vitest';
import { learnChars } from './chars.ts';
import { NUM_SPECIAL, SPECIAL_TOKENS, tokenizerFromVocab, UNK_ID } from './tokenizer.ts';

const words = ['The', 'jury', 'said', "Atlanta's", 'term-end', '.'];

describe('character tokenizer', () => {
  const tok = learnChars(words, null);

  it('has the specials, then each seen character as a word start and as a ## continuation', () => {
    const chars = [...new Set(words.join('').toLowerCase())].sort();
    const vocab = tok.toVocabText().trimEnd().split('\n');
    expect(vocab).toEqual([...SPECIAL_TOKENS, ...chars, ...chars.map((c) => '##' + c)]);
    expect(tok.vocabSize).toBe(NUM_SPECIAL + 2 * chars.length);
    expect(tok.kind).toBe('char');
  });

  it('round-trips words: one token per character, spaces restored from word starts', () => {
    const enc = tok.encodeWords(words);
    expect(enc.ids.length).toBe(words.join('').length);
    expect(tok.decode(enc.ids)).toBe(words.join(' ').toLowerCase());
    expect(Array.from(enc.wordStart.slice(0, 8))).toEqual([1, 0, 0, 1, 0, 0, 0, 1]);
    expect(Array.from(enc.wordIndex.slice(0, 8))).toEqual([0, 0, 0, 1, 1, 1, 1, 2]);
  });

  it('maps each unseen character (not the whole word) to [UNK]', () => {
    const enc = tok.encodeWords(['tax', '😀e']);
    const t = (s: string) => tok.tokenToId(s);
    expect(Array.from(enc.ids)).toEqual([t('t'), t('##a'), UNK_ID, UNK_ID, t('##e')]);
    expect(Array.from(enc.wordStart)).toEqual([1, 0, 0, 1, 0]);
  });

  it('keeps case when asked and reloads from vocab.txt', () => {
    const cased = learnChars(words, null, { lowercase: false });
    expect(cased.decode(cased.encodeWords(['The', 'jury']).ids)).toBe('The jury');
    const back = tokenizerFromVocab('char', tok.toVocabText(), { lowercase: true });
    expect(back.encodeWords(['tax', '😀e']).ids).toEqual(tok.encodeWords(['tax', '😀e']).ids);
    expect(() => learnChars([], null)).toThrow(/no characters/);
  });
});
