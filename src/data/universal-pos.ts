// Brown's 472 tags → the 12 coarse universal part-of-speech tags of Petrov, Das & McDonald,
// "A Universal Part-of-Speech Tagset" (LREC 2012, arXiv:1104.2086), for the POS probe.
//
// Source of the mapping: their file en-brown.map (github.com/slavpetrov/universal-pos-tags, the
// table NLTK uses for `brown.tagged_words(tagset='universal')`; CC BY-SA 4.0). It is not copied
// here: the rules below re-express it (strip the -hl/-tl/-nc marks, fw- = foreign = X, a base-tag
// table, and the contraction rule for compounds). Checked once against that file: all 472 Brown
// tags map to the same universal tag (src/data/universal-pos.test.ts holds the rules' edge cases).
//
// Deliberately not here: the coarse classes the masking lab uses for entity/noun masking
// (brown.ts coarseTag), which split proper nouns from common nouns.

/** The 12 universal tags in a fixed order: a probe label is the index into this list. */
export const UNIVERSAL_TAGS = ['NOUN', 'VERB', 'ADJ', 'ADV', 'PRON', 'DET', 'ADP', 'NUM', 'CONJ', 'PRT', '.', 'X'] as const;
export type UniversalTag = (typeof UNIVERSAL_TAGS)[number];

const BASE: Readonly<Record<string, UniversalTag>> = (() => {
  const groups: [UniversalTag, string][] = [
    ['.', "' '' ( ) , -- . : ``"],
    ['NOUN', 'nn nn$ nns nns$ np np$ nps nps$ nr nr$ nrs pn pn$ cd$ nn+in nn+nn'],
    ['VERB', 'vb vbd vbg vbn vbz be bed bed* bedz bedz* beg bem bem* ben ber ber* bez bez* do do* dod dod* doz doz* hv hv* hvd hvd* hvg hvn hvz hvz* md md*'],
    ['ADJ', 'jj jjr jjs jjt ap od jjr+cs ap+ap jj+jj'],
    ['ADV', '* rb rbr rbt rn ql qlp wql wrb rb+cs rbr+cs'],
    ['ADP', 'in cs in+in in+ppo'],
    ['CONJ', 'cc'],
    ['DET', 'at dt dt$ dti dts dtx abx pp$ wdt wp$'],
    ['NUM', 'cd'],
    ['PRON', 'ppl ppls ppo pps ppss pp$$ wpo wps'],
    ['PRT', 'abl abn ap$ rb$ jj$ rp rp+in to to+vb uh ex'],
    // Three contractions the source lists as X rather than PRT.
    ['X', 'nil do+ppss wdt+ber+pp wdt+do+pps'],
  ];
  const table: Record<string, UniversalTag> = {};
  for (const [u, tags] of groups) for (const t of tags.split(' ')) table[t] = u;
  return table;
})();

/**
 * The universal tag of a Brown tag (any case): headline/title/cited marks dropped, foreign words
 * X; a compound not in the base table is a verb when it starts with a verb or modal that takes
 * the rest as its object (vb+ppo "let's", md+have, hv+to "hafta", vbg+to "gonna"), an adposition
 * when it starts with one (in+in), else a contraction of a function word: PRT (pps+bez "it's").
 */
export function universalTag(brownTag: string): UniversalTag {
  const t = brownTag.toLowerCase();
  if (t.startsWith('fw-')) return 'X';
  const base = t.replace(/-(hl|tl|nc)/g, '');
  const known = BASE[base];
  if (known) return known;
  if (!base.includes('+')) return 'X';
  if (/^(vb[dgnz]?|md\*?|hv)\+/.test(base)) return 'VERB';
  if (/^in\+/.test(base)) return 'ADP';
  return 'PRT';
}
