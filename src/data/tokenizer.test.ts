import { describe, expect, it } from 'vitest';
import { MASK_ID, PieceTokenizer, SPECIAL_TOKENS, splitWords, tokenizerFromVocab } from './tokenizer.ts';

describe('vocab.txt and the shared encoder', () => {
  it('requires the fixed specials first and one clean token per line', () => {
    const good = [...SPECIAL_TOKENS, 'a', '##b'].join('\n') + '\n';
    expect(tokenizerFromVocab('wordpiece', good, { lowercase: true }).vocabSize).toBe(7);
    expect(tokenizerFromVocab('wordpiece', good.replace(/\n/g, '\r\n'), { lowercase: true }).vocabSize).toBe(7);
    expect(() => tokenizerFromVocab('wordpiece', ['[UNK]', '[PAD]', '[CLS]', '[SEP]', '[MASK]', 'a'].join('\n'), { lowercase: true })).toThrow(
      /line 1 is "\[UNK\]" but must be \[PAD\]/,
    );
    expect(() => tokenizerFromVocab('wordpiece', [...SPECIAL_TOKENS, 'a', 'a'].join('\n'), { lowercase: true })).toThrow(/"a" appears twice/);
    expect(() => tokenizerFromVocab('wordpiece', [...SPECIAL_TOKENS, 'a b'].join('\n'), { lowercase: true })).toThrow(/whitespace/);
    expect(() => tokenizerFromVocab('wordpiece', SPECIAL_TOKENS.join('\n'), { lowercase: true })).toThrow(/at least one ordinary token/);
  });

  it('matches the longest piece first, like BERT', () => {
    const tok = new PieceTokenizer('wordpiece', [...SPECIAL_TOKENS, 'un', 'u', '##n', '##aff', '##able', '##a', '##ff'], { lowercase: true, unknown: 'word' });
    expect(Array.from(tok.encodeWords(['unaffable']).ids, (id) => tok.idToToken(id))).toEqual(['un', '##aff', '##able']);
    expect(() => tok.idToToken(99)).toThrow(/outside the vocabulary \(0\.\.11\)/);
    expect(tok.encodeWords(['[MASK]']).ids[0]).toBe(MASK_ID);
  });
});

describe('splitWords', () => {
  it('splits typed text like the Brown corpus: edge punctuation apart, specials and inner marks kept', () => {
    expect(splitWords('  The jury said [MASK].  Atlanta\'s term-end "report," too!')).toEqual([
      'The', 'jury', 'said', '[MASK]', '.', "Atlanta's", 'term-end', '"', 'report', ',', '"', 'too', '!',
    ]);
    expect(splitWords('')).toEqual([]);
    expect(splitWords('a[MASK]b')).toEqual(['a', '[MASK]', 'b']);
  });
});
