// Unit structure per strategy on hand-made rows (tokens, word starts, tags, PMI segments), the
// frequency weights, and the per-step cost of buildUnits at the largest batch (B·T = 32·512).
import { describe, expect, it } from 'vitest';
import { emptyBatch, type Batch } from '../data/batcher.ts';
import { CLASS_ENTITY, CLASS_NOUN, CLASS_VERB, NO_UNIT } from './lab-rules.ts';
import { TEST_TAGS, testBatch, zipfCounts } from './lab-testing.ts';
import { SPECIAL } from './reference.ts';
import { parseMaskingConfig, type MaskingConfig } from './registry.ts';
import { buildUnits } from './units.ts';

const cfg = (strategy: string, params: Record<string, string | number> = {}): MaskingConfig => parseMaskingConfig(strategy, params).config!;
const X = NO_UNIT;
const { CLS, SEP, MASK, PAD } = SPECIAL;
const tag = (name: string) => TEST_TAGS.indexOf(name);

/** One row of T = tokens.length: ids, word starts, tags (by name), segments. */
function row(ids: number[], starts: number[], tags: string[] = [], segment: number[] = []): Batch {
  const b = emptyBatch(1, ids.length);
  ids.forEach((id, t) => {
    b.ids[t] = id;
    b.attention[t] = id === PAD ? 0 : 1;
    b.wordStart[t] = starts[t]!;
    if (tags[t]) b.tags[t] = tag(tags[t]!);
    if (segment[t] !== undefined) b.segment[t] = segment[t]!;
  });
  return b;
}
const data = { tagNames: TEST_TAGS, unigram: zipfCounts(100) };

describe('buildUnits', () => {
  //            [CLS] a  ##b c  [MASK] d  ##e [UNK] [SEP] [PAD]
  const ids = [CLS, 10, 11, 12, MASK, 13, 14, SPECIAL.UNK, SEP, PAD];
  const starts = [0, 1, 0, 1, 1, 1, 0, 1, 0, 0];

  it('token level: the position is the unit; specials, [MASK] and padding are not maskable', () => {
    for (const s of ['random', 'frequency', 'diffusion', 'attention']) {
      const { units, weights } = buildUnits(cfg(s), row(ids, starts), data);
      expect(Array.from(units)).toEqual([X, 1, 2, 3, X, 5, 6, 7, X, X]);
      if (s !== 'frequency') expect(weights.every((w) => w === 0)).toBe(true);
    }
  });

  it('words: pieces join their word; an unmaskable token ends a word; indices count maskable units', () => {
    for (const s of ['whole-word', 'span', 'ngram']) {
      expect(Array.from(buildUnits(cfg(s), row(ids, starts), data).units)).toEqual([X, 0, 0, 1, X, 2, 2, 3, X, X]);
    }
  });

  it('pmi: units follow batch.segment (words of one segment share a unit)', () => {
    const seg = [0, 5, 5, 5, 0, 6, 7, 7, 0, 0];
    expect(Array.from(buildUnits(cfg('pmi'), row(ids, starts, [], seg), data).units)).toEqual([X, 0, 0, 0, X, 1, 2, 2, X, X]);
  });

  it('entity: proper-noun runs merge into one unit, nouns/verbs by class, other words not maskable', () => {
    //             [CLS] John Smith runs the dog ##s New York , Mary [SEP]
    const e = row(
      [CLS, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, SEP],
      [0, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 0],
      ['', 'np', 'np', 'vbd', 'at', 'nn', 'nn', 'np', 'np-tl', 'in', 'np', ''],
    );
    const E = CLASS_ENTITY;
    expect(Array.from(buildUnits(cfg('entity'), e, data).units)).toEqual([X, E | 0, E | 0, CLASS_VERB | 1, X, CLASS_NOUN | 2, CLASS_NOUN | 2, E | 3, E | 3, X, E | 4, X]);
    expect(Array.from(buildUnits(cfg('entity', { classes: 'noun' }), e, data).units)).toEqual([X, E | 0, E | 0, X, X, CLASS_NOUN | 1, CLASS_NOUN | 1, E | 2, E | 2, X, E | 3, X]);
    expect(Array.from(buildUnits(cfg('entity', { classes: 'verb' }), e, data).units)).toEqual([X, E | 0, E | 0, CLASS_VERB | 1, X, X, X, E | 2, E | 2, X, E | 3, X]);
  });

  it('frequency: w = round(2047·f/max f) with f = (count+1)^−α, per row; at least 1; unseen ids are rarest', () => {
    const unigram = new Uint32Array(20);
    unigram[10] = 3; // f = 4^−α
    unigram[11] = 15; // 16^−α
    unigram[12] = 1_000_000;
    const b = row([CLS, 10, 11, 12, 25, SEP], [0, 1, 1, 1, 1, 0]);
    expect(Array.from(buildUnits(cfg('frequency', { alpha: 0.5 }), b, { tagNames: [], unigram }).weights)).toEqual([0, 1024, 512, 2, 2047, 0]);
    expect(Array.from(buildUnits(cfg('frequency', { alpha: 2 }), b, { tagNames: [], unigram }).weights)).toEqual([0, 128, 8, 1, 2047, 0]);
    expect(Array.from(buildUnits(cfg('frequency', { alpha: 0 }), b, { tagNames: [], unigram }).weights)).toEqual([0, 2047, 2047, 2047, 2047, 0]);
  });

  it('is fast enough for every training step at B·T = 32·512', () => {
    const counts = zipfCounts(4096);
    const batch = testBatch(32, 512, counts, 1);
    const out = { units: new Uint32Array(32 * 512), weights: new Uint32Array(32 * 512) };
    const times: string[] = [];
    for (const s of ['random', 'frequency', 'whole-word', 'pmi', 'entity']) {
      const c = cfg(s);
      buildUnits(c, batch, { tagNames: TEST_TAGS, unigram: counts }, out); // warm-up (caches)
      const t0 = performance.now();
      for (let k = 0; k < 20; k++) buildUnits(c, batch, { tagNames: TEST_TAGS, unigram: counts }, out);
      const ms = (performance.now() - t0) / 20;
      times.push(`${s} ${ms.toFixed(2)} ms`);
      expect(ms).toBeLessThan(20);
    }
    console.log(`buildUnits at B=32, T=512: ${times.join(', ')}`);
  });
});
