// Our tokenizer as a `tokenizer.json` in the Hugging Face `tokenizers` library's format, the file
// transformers.js (and Python's PreTrainedTokenizerFast) reads, so an exported folder tokenizes
// typed text the way masklab does without any code of ours:
//   normalizer      Lowercase (or nothing)                      = our `toLowerCase()` per word
//   pre_tokenizer   WhitespaceSplit, then Split(WORD_PATTERN)    = splitWords (tokenizer.ts)
//   model           WordPiece over vocab.txt, "##" continuations = PieceTokenizer's greedy
//                   longest-match-first
//   post_processor  [CLS] $A [SEP]                               = encodeProbe's framing
//   decoder         WordPiece "##", no cleanup                   = PieceTokenizer.decode
// The five specials are added tokens, split out of the raw text before anything else, as
// splitWords splits out "[MASK]". The character tokenizer is the same file with a one-character
// vocabulary and no word-length limit.
//
// One difference cannot be written in this format: our character tokenizer turns an unseen
// character into one [UNK] for that character, `tokenizers`' WordPiece turns the whole word into
// one [UNK] (as our WordPiece tokenizer does). Only characters never seen in training hit it.
//
// Pure: vocabulary in, JSON object out (and back, for the round-trip test and for reading an
// export). What it does not do: write files (hf.ts) or tokenize (tokenizer.ts).

import { NUM_SPECIAL, SPECIAL_TOKENS, UNK_ID } from '../data/tokenizer.ts';

/**
 * A word's core, from its first to its last letter or digit, else one other non-space character:
 * on a whitespace-free chunk this is splitWords' "edge punctuation apart, inner marks kept"
 * ("'atlanta's," → ' atlanta's ,). Written for both regex engines that read it: JavaScript's
 * (transformers.js compiles it with flags "gu") and Oniguruma (the Rust library; no lookbehind).
 */
export const WORD_PATTERN = '[\\p{L}\\p{N}](?:\\S*[\\p{L}\\p{N}])?|[^\\p{L}\\p{N}\\s]';

/**
 * max_input_chars_per_word for "no limit" (our character tokenizer's maxWordChars = Infinity):
 * JSON has no Infinity and Rust reads a usize, so the largest i32, which every platform holds.
 */
export const NO_WORD_LIMIT = 2 ** 31 - 1;

export interface TokenizerJsonOptions {
  lowercase: boolean;
  /** Words longer than this (in characters) are one [UNK]; Infinity = no limit. */
  maxWordChars: number;
}

export type TokenizerJson = Record<string, unknown>;

const special = (t: string) => ({ SpecialToken: { id: t, type_id: 0 } });
const sequence = (id: 'A' | 'B', type_id: number) => ({ Sequence: { id, type_id } });

/** tokenizer.json for `vocab` (vocab.txt's lines: id = index, the 5 specials first). */
export function tokenizerJson(vocab: readonly string[], o: TokenizerJsonOptions): TokenizerJson {
  SPECIAL_TOKENS.forEach((t, i) => {
    if (vocab[i] !== t) throw new Error(`tokenizer.json: vocabulary id ${i} is ${JSON.stringify(vocab[i])}, not ${t}. Export the vocabulary the tokenizer was built with (Tokenizer.toVocabText()).`);
  });
  const [, unk, cls, sep] = SPECIAL_TOKENS;
  const vocabObj: Record<string, number> = {};
  vocab.forEach((t, i) => (vocabObj[t] = i));
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    // normalized false: matched in the raw text, before lowercasing, as splitWords matches them.
    added_tokens: SPECIAL_TOKENS.map((content, id) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true })),
    // An empty Sequence rather than null: Python's BertTokenizerFast reads the normalizer's state.
    normalizer: o.lowercase ? { type: 'Lowercase' } : { type: 'Sequence', normalizers: [] },
    pre_tokenizer: {
      type: 'Sequence',
      pretokenizers: [{ type: 'WhitespaceSplit' }, { type: 'Split', pattern: { Regex: WORD_PATTERN }, behavior: 'Isolated', invert: false }],
    },
    post_processor: {
      type: 'TemplateProcessing',
      single: [special(cls), sequence('A', 0), special(sep)],
      // Pairs as BERT frames them; masklab itself only trains single segments (type 0).
      pair: [special(cls), sequence('A', 0), special(sep), sequence('B', 1), { SpecialToken: { id: sep, type_id: 1 } }],
      special_tokens: Object.fromEntries([cls, sep].map((t) => [t, { id: t, ids: [vocab.indexOf(t)], tokens: [t] }])),
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: false },
    model: {
      type: 'WordPiece',
      unk_token: unk,
      continuing_subword_prefix: '##',
      max_input_chars_per_word: Number.isFinite(o.maxWordChars) ? o.maxWordChars : NO_WORD_LIMIT,
      vocab: vocabObj,
    },
  };
}

/**
 * Reads a tokenizer.json this module wrote back into PieceTokenizer's inputs: the vocabulary in id
 * order and the options. Anything else (another normalizer, pre-tokenizer or model) is refused,
 * since our encoder would not reproduce it.
 */
export function readTokenizerJson(json: unknown): { vocab: string[]; lowercase: boolean; maxWordChars: number } {
  const j = json as { normalizer?: { type?: string; normalizers?: unknown[] }; pre_tokenizer?: unknown; model?: { type?: string; vocab?: Record<string, number>; max_input_chars_per_word?: number; continuing_subword_prefix?: string } };
  const refuse = (why: string) => new Error(`tokenizer.json: ${why}. Only the files masklab exports (a WordPiece model over our pre-tokenizer) can be read back.`);
  const m = j?.model;
  if (m?.type !== 'WordPiece' || !m.vocab || m.continuing_subword_prefix !== '##') throw refuse(`the model is ${JSON.stringify(m?.type)}, not WordPiece with "##" continuations`);
  const expectedPre = JSON.stringify(tokenizerJson([...SPECIAL_TOKENS, 'x'], { lowercase: true, maxWordChars: 100 }).pre_tokenizer);
  if (JSON.stringify(j.pre_tokenizer) !== expectedPre) throw refuse('the pre-tokenizer is not masklab\'s (WhitespaceSplit, then Split on WORD_PATTERN)');
  const n = j.normalizer;
  const lowercase = n?.type === 'Lowercase';
  if (!lowercase && !(n?.type === 'Sequence' && n.normalizers?.length === 0)) throw refuse(`the normalizer is ${JSON.stringify(n?.type)}, not Lowercase or an empty Sequence`);
  const vocab: string[] = [];
  for (const [t, id] of Object.entries(m.vocab)) vocab[id] = t;
  if (vocab.length < NUM_SPECIAL + 1 || Array.from(vocab).some((t) => t === undefined) || vocab[UNK_ID] !== SPECIAL_TOKENS[UNK_ID]) throw refuse('the vocabulary ids are not 0..V−1 with the specials first');
  const limit = m.max_input_chars_per_word ?? 100;
  return { vocab, lowercase, maxWordChars: limit >= NO_WORD_LIMIT ? Infinity : limit };
}
