import { describe, expect, it } from 'vitest';
import { readBrownNode } from './brown.ts';
import { UNIVERSAL_TAGS, universalTag } from './universal-pos.ts';

describe('universalTag (Petrov et al.’s Brown mapping, re-expressed as rules)', () => {
  it('maps base tags, marks and foreign words as en-brown.map does', () => {
    const cases: [string, string][] = [
      ['nn', 'NOUN'], ['np-tl', 'NOUN'], ['nns$-hl', 'NOUN'], ['cd$', 'NOUN'],
      ['vbd', 'VERB'], ['bedz*', 'VERB'], ['md', 'VERB'], ['hvz-tl', 'VERB'],
      ['jj', 'ADJ'], ['ap', 'ADJ'], ['od', 'ADJ'],
      ['rb', 'ADV'], ['ql', 'ADV'], ['wrb', 'ADV'], ['*', 'ADV'],
      ['ppss', 'PRON'], ['wps', 'PRON'], ['pp$$', 'PRON'],
      ['at', 'DET'], ['pp$', 'DET'], ['wdt', 'DET'], ['abx', 'DET'],
      ['in', 'ADP'], ['cs', 'ADP'], ['cc', 'CONJ'], ['cd', 'NUM'],
      ['to', 'PRT'], ['rp', 'PRT'], ['ex', 'PRT'], ['abn', 'PRT'], ['uh', 'PRT'],
      ['.', '.'], ['``', '.'], ['--', '.'], ['(-hl', '.'],
      ['fw-nn', 'X'], ['fw-in+at-tl', 'X'], ['nil', 'X'],
      // Compounds: contractions are PRT, except verb/modal- and adposition-headed ones.
      ['pps+bez', 'PRT'], ['ppss+md', 'PRT'], ['nn+hvz-tl', 'PRT'], ['wrb+dod*', 'PRT'],
      ['vb+ppo', 'VERB'], ['md+hv', 'VERB'], ['hv+to', 'VERB'], ['vbg+to', 'VERB'], ['vbn+to', 'VERB'],
      ['in+in', 'ADP'], ['in+ppo', 'ADP'], ['nn+in', 'NOUN'], ['jjr+cs', 'ADJ'], ['rb+cs', 'ADV'],
      ['do+ppss', 'X'], ['wdt+ber+pp', 'X'], ['jj$-tl', 'PRT'], ['vb+vb-nc', 'VERB'],
    ];
    for (const [brown, u] of cases) expect([brown, universalTag(brown)]).toEqual([brown, u]);
    expect(universalTag('NN-TL')).toBe('NOUN'); // any case
  });

  it('gives every Brown tag one of the 12 tags, with the shares the tagset is known for', async () => {
    const c = await readBrownNode();
    expect(c.tagNames.length).toBe(472);
    const counts = new Map<string, number>(UNIVERSAL_TAGS.map((t) => [t, 0]));
    for (let i = 0; i < c.tagIds.length; i++) {
      const u = universalTag(c.tagNames[c.tagIds[i]!]!);
      counts.set(u, counts.get(u)! + 1);
    }
    const share = (t: string) => counts.get(t)! / c.tagIds.length;
    // NLTK's Brown in the universal tagset: NOUN 0.237, VERB 0.157, '.' 0.128, ADP 0.124, DET 0.118, X 0.001.
    expect(share('NOUN')).toBeCloseTo(0.237, 2);
    expect(share('VERB')).toBeCloseTo(0.157, 2);
    expect(share('.')).toBeCloseTo(0.128, 2);
    expect(share('ADP')).toBeCloseTo(0.124, 2);
    expect(share('DET')).toBeCloseTo(0.118, 2);
    expect(share('X')).toBeLessThan(0.002);
  });
});
