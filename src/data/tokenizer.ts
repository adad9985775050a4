// The one Tokenizer interface every vocabulary in masklab implements (WordPiece, characters,
// synthetic symbols), the fixed special-token ids, and the shared greedy longest-match-first
// encoder they all use (BERT's WordPiece algorithm; with single-character vocabularies it is a
// character tokenizer). It also reads and writes vocab.txt (one token per line, Hugging Face
// BERT format: the line number is the id).
//
// Deliberately not here: learning a vocabulary (wordpiece.ts, chars.ts), splitting text into
// words beyond the small `splitWords` helper for typed probe sentences (corpora arrive already
// split into words: Brown is one word per `word/tag` token), and BERT's punctuation splitting or
// accent stripping — a word is kept whole so that its pieces stay aligned with its POS tag.

import { NUM_SPECIAL, PAD_ID, SPECIAL_TOKENS, UNK_ID } from './special-tokens.ts';

/** Ids fixed project-wide (special-tokens.ts): the masking kernels and the model rely on them. */
export { CLS_ID, MASK_ID, NUM_SPECIAL, PAD_ID, SEP_ID, SPECIAL_TOKENS, UNK_ID } from './special-tokens.ts';
/** wordIndex of tokens that belong to no word ([CLS], [SEP], [PAD]). */
export const NO_WORD = 0xffffffff;

/** Tokens of a list of words, aligned per token. All arrays have length = number of tokens. */
export interface Encoded {
  ids: Uint32Array;
  /** 1 at the first token of each word (whole-word / span masking group on it), else 0. */
  wordStart: Uint8Array;
  /** Index of the token's word in the input list. */
  wordIndex: Uint32Array;
}

export type TokenizerKind = 'wordpiece' | 'char' | 'symbol';

export interface Tokenizer {
  readonly kind: TokenizerKind;
  /** V: ids are 0..V−1; the first NUM_SPECIAL are SPECIAL_TOKENS. */
  readonly vocabSize: number;
  readonly lowercase: boolean;
  /** Longer words become one [UNK] (Infinity: no limit, the character tokenizer). */
  readonly maxWordChars: number;
  /** Every word yields ≥ 1 token; a word equal to a special token's text (e.g. "[MASK]") is that token. */
  encodeWords(words: readonly string[]): Encoded;
  /** Pieces joined with spaces, `##` continuations glued to the previous piece. */
  decode(ids: ArrayLike<number>, opts?: { skipSpecial?: boolean }): string;
  idToToken(id: number): string;
  tokenToId(token: string): number | undefined;
  /** vocab.txt: one token per line, the line number is the id, trailing newline. */
  toVocabText(): string;
}

export interface PieceOptions {
  lowercase: boolean;
  /**
   * What a word with a character outside the vocabulary becomes: 'word' = one [UNK] for the
   * whole word (BERT/Hugging Face behaviour, so an exported vocab.txt tokenizes the same way);
   * 'char' = one [UNK] for that character only (character tokenizer: lengths stay = characters).
   */
  unknown: 'word' | 'char';
  /** Longer words become one [UNK] (BERT: max_input_chars_per_word = 100). */
  maxWordChars?: number;
}

/** Greedy longest-match-first tokenizer over a fixed token list (pieces use the `##` prefix). */
export class PieceTokenizer implements Tokenizer {
  readonly vocabSize: number;
  readonly lowercase: boolean;
  private readonly vocab: readonly string[];
  private readonly ids: Map<string, number>;
  private readonly maxPiece: number;
  private readonly unknown: 'word' | 'char';
  readonly maxWordChars: number;

  constructor(
    readonly kind: TokenizerKind,
    vocab: readonly string[],
    opts: PieceOptions,
  ) {
    checkVocab(vocab);
    this.vocab = vocab;
    this.vocabSize = vocab.length;
    this.lowercase = opts.lowercase;
    this.unknown = opts.unknown;
    this.maxWordChars = opts.maxWordChars ?? 100;
    this.ids = new Map(vocab.map((t, i) => [t, i]));
    let maxPiece = 1;
    for (let i = NUM_SPECIAL; i < vocab.length; i++) {
      const t = vocab[i]!;
      maxPiece = Math.max(maxPiece, t.startsWith('##') ? t.length - 2 : t.length);
    }
    this.maxPiece = maxPiece;
  }

  encodeWords(words: readonly string[]): Encoded {
    const ids: number[] = [];
    const starts: number[] = [];
    const index: number[] = [];
    for (let w = 0; w < words.length; w++) {
      const n0 = ids.length;
      this.encodeWord(words[w]!, w, ids);
      for (let k = n0; k < ids.length; k++) {
        starts.push(k === n0 ? 1 : 0);
        index.push(w);
      }
    }
    return { ids: Uint32Array.from(ids), wordStart: Uint8Array.from(starts), wordIndex: Uint32Array.from(index) };
  }

  /** Appends the ids of one word to `out` (BERT WordpieceTokenizer.tokenize on a single word). */
  private encodeWord(raw: string, w: number, out: number[]): void {
    if (raw.length === 0) throw new Error(`encodeWords: word ${w} is empty; split text with splitWords() or drop empty words.`);
    const special = SPECIAL_TOKENS.indexOf(raw as (typeof SPECIAL_TOKENS)[number]);
    if (special >= 0) {
      out.push(special);
      return;
    }
    const word = this.lowercase ? raw.toLowerCase() : raw;
    if (word.length > this.maxWordChars) {
      out.push(UNK_ID);
      return;
    }
    const n0 = out.length;
    let start = 0;
    while (start < word.length) {
      let end = Math.min(word.length, start + this.maxPiece);
      let found = -1;
      for (; end > start; end--) {
        const sub = word.slice(start, end);
        const id = this.ids.get(start > 0 ? '##' + sub : sub);
        if (id !== undefined && id >= NUM_SPECIAL) {
          found = id;
          break;
        }
      }
      if (found < 0) {
        if (this.unknown === 'word') {
          out.length = n0;
          out.push(UNK_ID);
          return;
        }
        // Skip one code point (two UTF-16 units for astral characters), so an emoji is one [UNK].
        out.push(UNK_ID);
        start += word.codePointAt(start)! > 0xffff ? 2 : 1;
        continue;
      }
      out.push(found);
      start = end;
    }
  }

  decode(ids: ArrayLike<number>, opts: { skipSpecial?: boolean } = {}): string {
    let s = '';
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      if (id < NUM_SPECIAL && (opts.skipSpecial || id === PAD_ID)) continue;
      const t = this.idToToken(id);
      if (t.startsWith('##') && s.length > 0) s += t.slice(2);
      else s += (s.length > 0 ? ' ' : '') + t;
    }
    return s;
  }

  idToToken(id: number): string {
    const t = this.vocab[id];
    if (t === undefined) throw new Error(`Token id ${id} is outside the vocabulary (0..${this.vocabSize - 1}).`);
    return t;
  }

  tokenToId(token: string): number | undefined {
    return this.ids.get(token);
  }

  toVocabText(): string {
    return this.vocab.join('\n') + '\n';
  }
}

function checkVocab(vocab: readonly string[]): void {
  for (let i = 0; i < NUM_SPECIAL; i++) {
    if (vocab[i] !== SPECIAL_TOKENS[i]) {
      throw new Error(`Vocabulary line ${i + 1} is ${JSON.stringify(vocab[i])} but must be ${SPECIAL_TOKENS[i]}: masklab fixes [PAD]=0 [UNK]=1 [CLS]=2 [SEP]=3 [MASK]=4.`);
    }
  }
  const seen = new Set<string>();
  vocab.forEach((t, i) => {
    if (t.length === 0 || /\s/.test(t)) throw new Error(`Vocabulary line ${i + 1} is empty or contains whitespace: one token per line, no spaces.`);
    if (seen.has(t)) throw new Error(`Vocabulary token ${JSON.stringify(t)} appears twice (line ${i + 1}).`);
    seen.add(t);
  });
}

/** Parses vocab.txt (one token per line; a trailing newline and \r\n line ends are accepted). */
export function parseVocabText(text: string): string[] {
  const lines = text.split(/\r?\n/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  if (lines.length <= NUM_SPECIAL) throw new Error(`vocab.txt has ${lines.length} lines: it needs the ${NUM_SPECIAL} special tokens and at least one ordinary token.`);
  return lines;
}

/** Rebuilds a tokenizer from vocab.txt. HF's `do_lower_case` is not in the file: pass it. */
export function tokenizerFromVocab(kind: TokenizerKind, text: string, opts: { lowercase: boolean }): PieceTokenizer {
  return new PieceTokenizer(kind, parseVocabText(text), { lowercase: opts.lowercase, unknown: kind === 'char' ? 'char' : 'word' });
}

/**
 * Splits typed text (a probe sentence) into words the way the Brown corpus is split: on
 * whitespace, with punctuation at a word's edges split off ("said." → "said", "."), while
 * special tokens such as "[MASK]" and inner apostrophes/hyphens ("Atlanta's", "term-end") stay.
 */
export function splitWords(text: string): string[] {
  const out: string[] = [];
  for (const chunk of text.split(/\s+/)) {
    if (chunk.length === 0) continue;
    const parts = chunk.split(/(\[(?:PAD|UNK|CLS|SEP|MASK)\])/);
    for (const part of parts) {
      if (part.length === 0) continue;
      if (/^\[(PAD|UNK|CLS|SEP|MASK)\]$/.test(part)) {
        out.push(part);
        continue;
      }
      const m = /^([^\p{L}\p{N}]*)(.*?)([^\p{L}\p{N}]*)$/u.exec(part)!;
      for (const c of m[1]!) out.push(c);
      if (m[2]!.length > 0) out.push(m[2]!);
      for (const c of m[3]!) out.push(c);
    }
  }
  return out;
}
