// The user's own text as a corpus: refused with a reason when it is empty, binary, not UTF-8 or
// too short; otherwise split into enough documents for a held-out split and built into a dataset
// by the same pipeline as Brown.
import { describe, expect, it } from 'vitest';
import { buildDataset } from './dataset.ts';
import { CorpusError, decodeText, MIN_WORDS, parseTextCorpus } from './text-corpus.ts';

const enc = (s: string) => new TextEncoder().encode(s);
const prose = (words: number) => {
  const base = 'The quick brown fox jumps over the lazy dog while the cat sleeps by the warm fire .'.split(' ');
  const out: string[] = [];
  for (let i = 0; i < words; i++) out.push(base[i % base.length]! + (i % 97 === 96 ? '\n\n' : ''));
  return out.join(' ');
};

describe('decodeText', () => {
  it('refuses empty, whitespace-only, binary and non-UTF-8 input, naming the file and the reason', () => {
    const why = (b: Uint8Array) => {
      try {
        decodeText(b, 'f.txt');
      } catch (e) {
        expect(e).toBeInstanceOf(CorpusError);
        return (e as CorpusError).message;
      }
      return 'accepted';
    };
    expect(why(new Uint8Array(0))).toBe('"f.txt" is empty.');
    expect(why(enc('  \n\t\n'))).toBe('"f.txt" holds only whitespace.');
    expect(why(Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]))).toMatch(/not a text file: it contains a zero byte at offset 8/);
    expect(why(Uint8Array.from([0x68, 0x69, 0xff, 0xfe, 0x41]))).toBe('"f.txt" is not UTF-8 text.');
    expect(why(enc('héllo wörld'))).toBe('accepted');
  });
});

describe('parseTextCorpus', () => {
  it('refuses a text shorter than MIN_WORDS words', () => {
    expect(() => parseTextCorpus(prose(MIN_WORDS - 10), 'short')).toThrow(/has 99\d words; a run needs at least 1,000/);
  });

  it('splits into documents that cover every word once, with progress to the end', () => {
    const text = prose(5000);
    const seen: number[] = [];
    const c = parseTextCorpus(text, 'story', (done) => seen.push(done));
    expect(seen.at(-1)).toBe(text.length);
    expect(c.docs.length).toBeGreaterThanOrEqual(12);
    expect(c.docs[0]!.start).toBe(0);
    c.docs.forEach((d, k) => {
      expect(d.end).toBeGreaterThan(d.start);
      if (k > 0) expect(d.start).toBe(c.docs[k - 1]!.end);
    });
    expect(c.docs.at(-1)!.end).toBe(c.wordIds.length);
    expect(c.wordIds.length).toBe(5000);
    expect(c.lexicon[0]).toBe('the'); // most frequent first
  });

  it('builds a dataset with a held-out split through the Brown pipeline (WordPiece and characters)', () => {
    const corpus = parseTextCorpus(prose(6000), 'story');
    for (const tokenizer of ['wordpiece', 'char'] as const) {
      const d = buildDataset('text', { tokenizer, vocabSize: 300, seed: 1, T: 32 }, { text: corpus });
      expect(d.source).toBe('text');
      expect(d.stats.heldOutTokens).toBeGreaterThan(0);
      expect(d.evalSet.B).toBeGreaterThan(0);
      const b = d.batch(0, 4);
      expect(b.ids.length).toBe(4 * 32);
    }
    expect(() => buildDataset('text', { tokenizer: 'char', seed: 1, T: 32 })).toThrow(/No text is loaded/);
  });
});
