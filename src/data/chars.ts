// Character-level tokenizer: the 5 specials plus every character seen in the training words.
//
// Spaces: there is no space token. As in WordPiece, a word's first character is its own symbol
// ("t") and every later character is a continuation symbol ("##t"), so the model still sees
// where words begin (that is the information a space would carry), word-start flags come out
// the same as for WordPiece, decode() restores the spaces, and the vocabulary has at most
// 5 + 2·(distinct characters) tokens (~130 for lowercased Brown). Both forms of every character
// are included, so no seen character is ever [UNK] in any position.
//
// Deliberately not here: bytes/UTF-8 (JS strings are iterated by code point), normalisation.

import { NUM_SPECIAL, PieceTokenizer, SPECIAL_TOKENS } from './tokenizer.ts';

export interface CharOptions {
  /** Lowercase before building and encoding. Default true (same default as WordPiece). */
  lowercase?: boolean;
  /** At most this many distinct characters (the most frequent); default 1000. */
  maxChars?: number;
}

/** Builds the character vocabulary from words (e.g. the training split's lexicon) and counts. */
export function learnChars(words: readonly string[], counts: ArrayLike<number> | null, opts: CharOptions = {}): PieceTokenizer {
  const lowercase = opts.lowercase ?? true;
  const maxChars = opts.maxChars ?? 1000;
  const freq = new Map<string, number>();
  for (let i = 0; i < words.length; i++) {
    const c = counts ? counts[i]! : 1;
    if (c <= 0) continue;
    const w = lowercase ? words[i]!.toLowerCase() : words[i]!;
    if ((SPECIAL_TOKENS as readonly string[]).includes(words[i]!)) continue;
    for (const ch of w) if (!/\s/.test(ch)) freq.set(ch, (freq.get(ch) ?? 0) + c);
  }
  if (freq.size === 0) throw new Error('learnChars: no characters to learn from (empty text). Pass the training split.');
  const byCode = (a: string, b: string) => a.codePointAt(0)! - b.codePointAt(0)!;
  let chars = [...freq.keys()];
  if (chars.length > maxChars) chars = chars.sort((a, b) => freq.get(b)! - freq.get(a)! || byCode(a, b)).slice(0, maxChars);
  chars.sort(byCode);
  const vocab = [...SPECIAL_TOKENS, ...chars, ...chars.map((c) => '##' + c)];
  if (vocab.length <= NUM_SPECIAL) throw new Error('learnChars: empty alphabet.');
  return new PieceTokenizer('char', vocab, { lowercase, unknown: 'char', maxWordChars: Infinity });
}
