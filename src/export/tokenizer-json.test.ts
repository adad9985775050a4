// tokenizer.json against an independent reader: WordPiece and character tokenizers learned on the
// Brown training split are written as tokenizer.json + tokenizer_config.json to a temporary
// folder and opened by transformers.js (AutoTokenizer, Node, local files only), which must give
// our ids (splitWords → encodeWords, framed [CLS] … [SEP]) on held-out Brown sentences and the
// probe sentences, and decode as we do. The pre-tokenizer's regex is checked against splitWords
// on every sentence of the corpus.
import { AutoTokenizer } from '@huggingface/transformers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readBrownNode, splitBrown, type BrownCorpus } from '../data/brown.ts';
import { learnChars } from '../data/chars.ts';
import { lexiconCounts } from '../data/dataset.ts';
import { CLS_ID, parseVocabText, PieceTokenizer, SEP_ID, SPECIAL_TOKENS, splitWords, UNK_ID } from '../data/tokenizer.ts';
import { learnWordPiece } from '../data/wordpiece.ts';
import { hfTokenizerConfig } from './hf.ts';
import { readTokenizerJson, tokenizerJson, WORD_PATTERN } from './tokenizer-json.ts';

/** node:fs / node:os through a non-literal specifier, as readBrownNode does (src/ is typed for the browser). */
interface NodeFs {
  mkdtempSync(prefix: string): string;
  mkdirSync(path: string, o: { recursive: boolean }): void;
  writeFileSync(path: string, data: string): void;
  rmSync(path: string, o: { recursive: boolean; force: boolean }): void;
}
const fsSpec: string = 'node:fs';
const osSpec: string = 'node:os';
const fs = (await import(/* @vite-ignore */ fsSpec)) as NodeFs;
const os = (await import(/* @vite-ignore */ osSpec)) as { tmpdir(): string };

const corpus = await readBrownNode();
const split = splitBrown(corpus);
const counts = lexiconCounts(corpus, split.train);

/** The sentences of documents `docs` as typed text: words joined by spaces. */
function sentences(c: BrownCorpus, docs: readonly number[]): string[] {
  const out: string[] = [];
  for (const d of docs) {
    const { start, end } = c.docs[d]!;
    let words: string[] = [];
    for (let w = start; w < end; w++) {
      if (c.sentenceStart[w] && words.length) {
        out.push(words.join(' '));
        words = [];
      }
      words.push(c.lexicon[c.wordIds[w]!]!);
    }
    if (words.length) out.push(words.join(' '));
  }
  return out;
}

/** The app's probe sentences (src/store/setup.ts defaultProbe) and text that exercises every rule of splitWords. */
const PROBES = ['the [MASK] of the house was [MASK] .', 'a b c [MASK] e f g'];
const TRICKY = [
  '  The jury said [MASK].  Atlanta\'s term-end "report," too!',
  'a[MASK]b [MASK][MASK] x[SEP]y [mask] [Mask]',
  '(1,000.50) -- ... \'\' `` Mr. U.S.A. 3-to-1 50%',
  'Über café naïve ÉCOLE',
  'tabs\tand\nnewlines\u00a0and\u2003spaces',
];

/** transformers.js's pipeline on one whitespace-free chunk: added tokens split out, then WORD_PATTERN's matches. */
function preTokenize(text: string): string[] {
  const re = new RegExp(WORD_PATTERN, 'gu');
  return (text.match(/\S+/g) ?? []).flatMap((chunk) => chunk.split(/(\[(?:PAD|UNK|CLS|SEP|MASK)\])/).flatMap((part) => (SPECIAL_TOKENS.includes(part as never) ? [part] : (part.match(re) ?? []))));
}

describe('WORD_PATTERN', () => {
  it('splits every sentence of the Brown corpus, the probes and odd text exactly as splitWords does', () => {
    const all = [...sentences(corpus, corpus.docs.map((_, d) => d)), ...PROBES, ...TRICKY];
    expect(all.length).toBeGreaterThan(50_000);
    const bad = all.filter((s) => JSON.stringify(preTokenize(s)) !== JSON.stringify(splitWords(s)));
    expect(bad).toEqual([]);
  });
});

type HfTokenizer = Awaited<ReturnType<typeof AutoTokenizer.from_pretrained>>;

describe('tokenizer.json in transformers.js (Node, local files only)', () => {
  const wordpiece = learnWordPiece(corpus.lexicon, counts, { vocabSize: 2000 });
  const chars = learnChars(corpus.lexicon, counts);
  // Every 19th held-out sentence: a few hundred, from all 50 held-out documents.
  const heldOut = sentences(corpus, split.heldOut).filter((_, i) => i % 19 === 0);
  const texts = [...heldOut, ...PROBES, ...TRICKY];
  let root = '';
  const loaded = new Map<string, HfTokenizer>();

  /** Writes the two files for `tok` to root/name and opens the folder with transformers.js. */
  async function open(name: string, tok: PieceTokenizer): Promise<HfTokenizer> {
    const dir = `${root}/${name}`;
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(`${dir}/tokenizer.json`, JSON.stringify(tokenizerJson(parseVocabText(tok.toVocabText()), { lowercase: tok.lowercase, maxWordChars: tok.maxWordChars })));
    fs.writeFileSync(`${dir}/tokenizer_config.json`, JSON.stringify(hfTokenizerConfig(tok.lowercase, 128)));
    const hf = await AutoTokenizer.from_pretrained(dir, { local_files_only: true });
    loaded.set(name, hf);
    return hf;
  }

  beforeAll(() => {
    root = fs.mkdtempSync(`${os.tmpdir()}/masklab-tokenizer-json-`);
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  const ours = (tok: PieceTokenizer, text: string) => [CLS_ID, ...tok.encodeWords(splitWords(text)).ids, SEP_ID];

  const cases: [string, () => PieceTokenizer][] = [
    ['WordPiece (2000 tokens, lowercased)', () => wordpiece],
    ['WordPiece, case kept', () => new PieceTokenizer('wordpiece', parseVocabText(wordpiece.toVocabText()), { lowercase: false, unknown: 'word' })],
    ['characters', () => chars],
  ];
  for (const [name, make] of cases) {
    it(`${name}: the same ids on ${texts.length} sentences (held-out Brown, probes, odd text), the same decoding`, async () => {
      const tok = make();
      const hf = await open(name.replace(/\W+/g, '-'), tok);
      // Characters: an unseen character is one [UNK] for us, its whole word for WordPiece (documented).
      const comparable = texts.filter((t) => tok.kind !== 'char' || !ours(tok, t).includes(UNK_ID));
      expect(comparable.length).toBeGreaterThan(texts.length - 5);
      const diff = comparable.map((t) => ({ t, ours: ours(tok, t), theirs: hf.encode(t) })).filter((d) => JSON.stringify(d.ours) !== JSON.stringify(d.theirs));
      expect(diff).toEqual([]);
      for (const t of [...PROBES, ...heldOut.slice(0, 50)]) {
        const ids = ours(tok, t);
        expect(hf.decode(ids, { skip_special_tokens: true })).toBe(tok.decode(ids, { skipSpecial: true }));
        expect(hf.decode(ids)).toBe(tok.decode(ids));
      }
      expect(hf.mask_token_id).toBe(4);
      expect(hf.pad_token_id).toBe(0);
    });
  }

  it('characters: an unseen character makes its word one [UNK] there, only itself here (the one documented difference)', async () => {
    const hf = loaded.get('characters') ?? (await open('characters', chars));
    // "ж" is not in Brown; inside a word (at a word's edge it would be a word of its own, [UNK] in both).
    const text = 'the caжe .';
    const [t, h, e, c, a, e2] = ['t', '##h', '##e', 'c', '##a', '##e'].map((x) => chars.tokenToId(x)!);
    const dot = chars.tokenToId('.')!;
    expect(ours(chars, text)).toEqual([CLS_ID, t, h, e, c, a, UNK_ID, e2, dot, SEP_ID]);
    expect(hf.encode(text)).toEqual([CLS_ID, t, h, e, UNK_ID, dot, SEP_ID]);
  });

  it('reads back into a PieceTokenizer that encodes the same (WordPiece and characters)', () => {
    for (const tok of [wordpiece, chars]) {
      const json = JSON.parse(JSON.stringify(tokenizerJson(parseVocabText(tok.toVocabText()), { lowercase: tok.lowercase, maxWordChars: tok.maxWordChars }))) as unknown;
      const back = readTokenizerJson(json);
      expect(back.maxWordChars).toBe(tok.maxWordChars);
      const again = new PieceTokenizer(tok.kind, back.vocab, { lowercase: back.lowercase, unknown: tok.kind === 'char' ? 'char' : 'word', maxWordChars: back.maxWordChars });
      expect(again.toVocabText()).toBe(tok.toVocabText());
      for (const t of texts.slice(0, 100)) expect(ours(again, t)).toEqual(ours(tok, t));
    }
  });

  it('refuses a tokenizer.json it did not write, and a vocabulary without the specials first', () => {
    const good = tokenizerJson([...SPECIAL_TOKENS, 'a', '##b'], { lowercase: true, maxWordChars: 100 });
    expect(() => readTokenizerJson({ ...good, pre_tokenizer: { type: 'BertPreTokenizer' } })).toThrow(/pre-tokenizer is not masklab's/);
    expect(() => readTokenizerJson({ ...good, normalizer: { type: 'BertNormalizer' } })).toThrow(/normalizer is "BertNormalizer"/);
    expect(() => readTokenizerJson({ ...good, model: { type: 'BPE' } })).toThrow(/model is "BPE", not WordPiece/);
    expect(() => tokenizerJson(['[UNK]', '[PAD]', '[CLS]', '[SEP]', '[MASK]', 'a'], { lowercase: true, maxWordChars: 100 })).toThrow(/vocabulary id 0 is "\[UNK\]", not \[PAD\]/);
  });
});
