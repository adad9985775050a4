import { describe, expect, it } from 'vitest';
import { brownFromRaw, readBrownNode, splitBrown, type BrownCorpus } from './brown.ts';
import { composeMix, countNgrams, findEntry, learnPmiLexicon, pmiLexiconFromCounts, segmentDocs, segmentPmi, type PmiLexicon } from './pmi.ts';
import { Rng } from './prng.ts';

/**
 * Four training sentences in two documents (case differs: "New"/"new" count as one word) and a
 * third document that must not be counted. Training counts, lowercased:
 *   unigrams (19): new 3, york 4, is 3, big 2, old 1, . 4, i 1, like 1
 *   bigrams (15): new york 3, york is 3, is big 2, big . 2, is old 1, old . 1, i like 1, like new 1, york . 1
 *   trigrams (11): new york is 2, york is big 2, is big . 2, york is old 1, is old . 1, i like new 1,
 *                  like new york 1, new york . 1
 *   4-grams (7): york is big . 2, the others 1; 5-grams (3): 1 each.
 * No n-gram crosses a sentence (". new" never occurs).
 */
const tiny: BrownCorpus = brownFromRaw([
  { id: 'ca01', text: 'New/np York/np is/bez big/jj ./.\nnew/np york/np is/bez old/jj ./.\n' },
  { id: 'ca02', text: 'I/ppss like/vb New/np York/np ./.\nYork/np is/bez big/jj ./.\n' },
  { id: 'ca03', text: 'New/np York/np New/np York/np New/np York/np ./.\n' },
]);
const ids = (lex: PmiLexicon, text: string) => Uint32Array.from(text.split(' '), (w) => lex.idOf.get(w)!);
const phrase = (lex: PmiLexicon, words: Uint32Array, seg: Uint32Array) =>
  Array.from(words, (w, i) => (i > 0 && seg[i] === seg[i - 1] ? '_' : '|') + lex.words[w]).join('');

/** Every word in exactly one unit; units contiguous, numbered 0, 1, 2, … along the sequence. */
function checkUnits(seg: Uint32Array, maxN: number) {
  expect(seg[0]).toBe(0);
  let len = 1;
  for (let i = 1; i < seg.length; i++) {
    const step = seg[i]! - seg[i - 1]!;
    expect(step === 0 || step === 1).toBe(true);
    len = step === 0 ? len + 1 : 1;
    expect(len).toBeLessThanOrEqual(maxN);
  }
}

describe('PMI lexicon (tiny corpus)', () => {
  it('counts lowercased n-grams of the training documents within sentences', () => {
    const c = countNgrams(tiny, [0, 1]);
    expect(c.totals).toEqual([0, 19, 15, 11, 7, 3]);
    const york = c.idOf.get('york')!;
    expect(c.unigram[york]).toBe(4);
    expect(c.tables[2]!.count[c.tables[2]!.find(c.idOf.get('new')!, york)]).toBe(3);
    expect(c.tables[2]!.find(c.idOf.get('.')!, c.idOf.get('new')!)).toBe(-1);
  });

  it('scores equal the hand computation over all segmentations', () => {
    const lex = learnPmiLexicon(tiny, [0, 1], { minCount: 1, lexiconSize: 1000, keepPunctuation: true });
    const p1 = (k: number) => k / 19;
    const p2 = (k: number) => k / 15;
    const p3 = (k: number) => k / 11;
    // new york: the only segmentation is [new][york].
    expect(findEntry(lex, 'new york')!.score).toBeCloseTo(Math.log(p2(3) ** 2 / (p1(3) * p1(4))), 12);
    // new york is: [new][york is], [new york][is], [new][york][is].
    const nyi = Math.min(
      Math.log(p3(2) ** 2 / (p1(3) * p2(3))),
      Math.log(p3(2) ** 2 / (p2(3) * p1(3))),
      Math.log(p3(2) ** 2 / (p1(3) * p1(4) * p1(3))),
    );
    expect(findEntry(lex, 'New York is')!.score).toBeCloseTo(nyi, 12);
    // new york is big (count 1 of 7): all 7 segmentations into ≥ 2 parts.
    const p = 1 / 7;
    const segs = [
      p1(3) * p3(2), // [new][york is big]
      p2(3) * p2(2), // [new york][is big]
      p3(2) * p1(2), // [new york is][big]
      p1(3) * p1(4) * p2(2), // [new][york][is big]
      p1(3) * p2(3) * p1(2), // [new][york is][big]
      p2(3) * p1(3) * p1(2), // [new york][is][big]
      p1(3) * p1(4) * p1(3) * p1(2), // [new][york][is][big]
    ];
    expect(findEntry(lex, 'new york is big')!.score).toBeCloseTo(Math.min(...segs.map((s) => Math.log(p ** 2 / s))), 12);
    // Ranking: "i like" (log 361/225) first; "new york" and "york is" tie (log 361/300, count 3),
    // so word ids decide: lowercase ids follow the corpus lexicon, York (6 uses) before New (5).
    const top = lex.entries.filter((e) => e.n === 2).slice(0, 3).map((e) => e.words.join(' '));
    expect(top).toEqual(['i like', 'york is', 'new york']);
    expect(lex.entries[0]!.score).toBeCloseTo(Math.log(361 / 225), 12);
    // The held-out document was not counted ("york new" occurs only there).
    expect(findEntry(lex, 'york new')).toBeUndefined();
  });

  it('composes 50/25/12.5/12.5 % and hands a shortfall to the other lengths', () => {
    expect(composeMix([0, 0, 100, 100, 100, 100], 5, 40).slice(2)).toEqual([20, 10, 5, 5]);
    // 5-grams have 1 of 5: 4 left → 4·(4/7), 4·(2/7), 4·(1/7) floored = 2, 1, 0, the last one to bigrams.
    expect(composeMix([0, 0, 100, 100, 100, 1], 5, 40).slice(2)).toEqual([23, 11, 5, 1]);
    expect(composeMix([0, 0, 3, 1, 0, 0], 5, 40).slice(2)).toEqual([3, 1, 0, 0]);
    expect(composeMix([0, 0, 9, 9], 3, 8).slice(2)).toEqual([4, 4]);
    const lex = learnPmiLexicon(tiny, [0, 1], { minCount: 2, lexiconSize: 6 });
    expect(lex.candidates.slice(2)).toEqual([3, 2, 0, 0]); // punctuation n-grams ("big .") are no candidates
    expect(lex.perLength.slice(2)).toEqual([3, 2, 0, 0]);
    expect(lex.entries.map((e) => e.n)).toEqual([2, 2, 2, 3, 3]);
  });

  it('segments by longest match, resolves overlaps with the seeded rng, never crosses a sentence', () => {
    const lex2 = learnPmiLexicon(tiny, [0, 1], { minCount: 2, lexiconSize: 100 }); // + new york is, york is big
    const w = ids(lex2, 'new york is big .');
    // new york is / york is big overlap (same length): one of them, by the rng.
    const seen = new Set<string>();
    for (let seed = 0; seed < 32; seed++) {
      const seg = segmentPmi(w, lex2, new Rng(seed, 5));
      checkUnits(seg, 5);
      expect(segmentPmi(w, lex2, new Rng(seed, 5))).toEqual(seg);
      seen.add(phrase(lex2, w, seg));
    }
    expect([...seen].sort()).toEqual(['|new_york_is|big|.', '|new|york_is_big|.']);
    // Longest match: the trigram beats the overlapping bigrams (new york, york is).
    expect(phrase(lex2, ids(lex2, 'like new york is'), segmentPmi(ids(lex2, 'like new york is'), lex2, new Rng(1)))).toBe('|like|new_york_is');
    const lex3 = learnPmiLexicon(tiny, [0, 1], { minCount: 3, lexiconSize: 100 }); // new york, york is
    const v = ids(lex3, 'i like new york is old');
    expect(new Set(Array.from({ length: 16 }, (_, s) => phrase(lex3, v, segmentPmi(v, lex3, new Rng(s)))))).toEqual(
      new Set(['|i|like|new_york|is|old', '|i|like|new|york_is|old']),
    );
    const starts = Uint8Array.from([1, 0, 0, 1, 0, 0]); // "i like new" | "york is old"
    expect(phrase(lex3, v, segmentPmi(v, lex3, new Rng(0), starts))).toBe('|i|like|new|york_is|old');
    expect(Array.from(segmentPmi(new Uint32Array(0), lex3, new Rng(0)))).toEqual([]);
  });

  it('says what is wrong with the options', () => {
    expect(() => learnPmiLexicon(tiny, [0], { minCount: 0, lexiconSize: 10 })).toThrow(/minCount=0/);
    expect(() => learnPmiLexicon(tiny, [0], { minCount: 2, lexiconSize: -1 })).toThrow(/lexiconSize=-1/);
    expect(() => learnPmiLexicon(tiny, [0], { minCount: 2, lexiconSize: 10, maxN: 1 })).toThrow(/maxN=1/);
  });
});

describe('PMI lexicon (Brown)', async () => {
  const corpus = await readBrownNode();
  const split = splitBrown(corpus);

  it('counts exactly what a naive string-keyed count gives (tables grow many times)', () => {
    const docs = split.train.slice(0, 12);
    const c = countNgrams(corpus, docs);
    const naive = new Map<string, number>();
    for (const d of docs) {
      const { start, end } = corpus.docs[d]!;
      for (let i = start; i < end; i++) {
        for (let n = 2; n <= 5 && i + n <= end; n++) {
          if (Array.from({ length: n - 1 }, (_, k) => corpus.sentenceStart[i + k + 1]).some(Boolean)) break;
          const key = Array.from(corpus.wordIds.subarray(i, i + n), (w) => corpus.lexicon[w]!.toLowerCase()).join(' ');
          naive.set(key, (naive.get(key) ?? 0) + 1);
        }
      }
    }
    const sizes = [2, 3, 4, 5].map((n) => [...naive.keys()].filter((k) => k.split(' ').length === n).length);
    expect(sizes).toEqual([2, 3, 4, 5].map((n) => c.tables[n]!.size));
    expect(sizes[0]).toBeGreaterThan(10_000);
    let wrong = 0;
    for (const [key, count] of naive) {
      const w = key.split(' ').map((x) => c.idOf.get(x)!);
      let g = w[0]!;
      for (let k = 1; k < w.length; k++) g = c.tables[k + 1]!.find(g, w[k]!);
      if (g < 0 || c.tables[w.length]!.count[g] !== count) wrong++;
    }
    expect(wrong).toBe(0);
  });

  it('learns the training split in seconds; well-known collocations rank high', () => {
    const t0 = performance.now();
    const lex = learnPmiLexicon(corpus, split.train, { minCount: 5, lexiconSize: 5000 });
    const ms = performance.now() - t0;
    const show = (n: number, k: number) => lex.entries.filter((e) => e.n === n).slice(0, k).map((e) => `${e.words.join(' ')} (${e.count}, ${e.score.toFixed(2)})`);
    console.log(`PMI lexicon, Brown train, minCount 5, 5000 entries: ${ms.toFixed(0)} ms, per length ${lex.perLength.slice(2).join('/')}, candidates ${lex.candidates.slice(2).join('/')}`);
    console.log('top bigrams:', show(2, 20).join(' | '));
    console.log('top trigrams:', show(3, 10).join(' | '));
    expect(ms).toBeLessThan(15_000);
    expect(lex.entries.length).toBe(5000);
    for (const [text, maxRank] of [['hong kong', 5], ['los angeles', 10], ['united states', 30], ['rhode island', 30], ['per cent', 50], ['new york', 100], ['as well as', 150]] as const) {
      expect(findEntry(lex, text)?.rank, text).toBeLessThan(maxRank);
    }
    // Deterministic: same corpus and options → same entries in the same order.
    const again = learnPmiLexicon(corpus, split.train, { minCount: 5, lexiconSize: 5000 });
    expect(again.entries.map((e) => e.words.join(' '))).toEqual(lex.entries.map((e) => e.words.join(' ')));
  }, 60_000);

  it('segments documents into contiguous units that are lexicon entries; coverage by setting', () => {
    const c = countNgrams(corpus, split.train);
    const rows: string[] = [];
    for (const minCount of [3, 5, 10]) {
      for (const lexiconSize of [5000, 20000, 50000]) {
        const lex = pmiLexiconFromCounts(c, { minCount, lexiconSize });
        const train = segmentDocs(corpus, split.train, lex, 1);
        const held = segmentDocs(corpus, split.heldOut, lex, 1);
        rows.push(`minCount ${minCount} size ${lexiconSize}: ${lex.entries.length} entries, train ${(100 * train.coverage).toFixed(1)}%, held-out ${(100 * held.coverage).toFixed(1)}%`);
      }
    }
    console.log('PMI coverage (words in multi-word units):\n  ' + rows.join('\n  '));

    const lex = pmiLexiconFromCounts(c, { minCount: 5, lexiconSize: 5000 });
    const docs = split.heldOut.slice(0, 10);
    const { segment, coverage } = segmentDocs(corpus, docs, lex, 7);
    expect(segmentDocs(corpus, docs, lex, 7).segment).toEqual(segment);
    expect(segmentDocs(corpus, docs, lex, 8).segment).not.toEqual(segment); // overlaps resolved differently
    expect(coverage).toBeGreaterThan(0.1);
    checkUnits(segment, 5);
    // Documents alone give the same units (each has its own rng stream), shifted to global ids.
    const one = segmentDocs(corpus, [docs[3]!], lex, 7).segment;
    const off = docs.slice(0, 3).reduce((n, d) => n + corpus.docs[d]!.end - corpus.docs[d]!.start, 0);
    expect(Array.from(segment.subarray(off, off + one.length), (s) => s - segment[off]!)).toEqual(Array.from(one));
    // Every multi-word unit is an entry and stays inside its sentence.
    const words = docs.flatMap((d) => Array.from(corpus.wordIds.subarray(corpus.docs[d]!.start, corpus.docs[d]!.end), (w, i) => [lex.words[lex.lowerOf[w]!]!, corpus.sentenceStart[corpus.docs[d]!.start + i]!] as const));
    for (let i = 0; i < segment.length; ) {
      let j = i + 1;
      while (j < segment.length && segment[j] === segment[i]) j++;
      if (j - i > 1) {
        expect(findEntry(lex, words.slice(i, j).map(([w]) => w).join(' '))).toBeDefined();
        for (let k = i + 1; k < j; k++) expect(words[k]![1]).toBe(0);
      }
      i = j;
    }
  }, 120_000);
});
