// Every masking strategy as data: id, name, description, source, and typed parameters with
// defaults and valid ranges (spec ../shared/masking-spec.md §0, A1–A10). The CLI, the setup panel
// and URL parsing all validate through parseMaskingConfig, so a bad value gets the same message
// everywhere: the parameter, what was given, and what is allowed.
// What it does not do: select positions (see selection.ts and the GPU kernel) or build units.

export type ParamValue = number | string;

export type ParamType =
  | { kind: 'number'; min: number; max: number; integer?: boolean }
  | { kind: 'enum'; values: readonly string[] }
  /** Comma-separated non-negative weights, e.g. n-gram probabilities "0.4,0.3,0.2,0.1". */
  | { kind: 'weights'; minLength: number; maxLength: number };

export interface ParamSpec {
  key: string;
  label: string;
  help: string;
  type: ParamType;
  default: ParamValue;
}

/** How a strategy picks positions; each is one GPU entry point with a CPU twin. */
export type SelectionKind = 'shuffle' | 'spans' | 'weighted' | 'scores' | 'bernoulli';

export interface StrategySpec {
  id: string;
  name: string;
  description: string;
  source: string;
  selection: SelectionKind;
  /**
   * What is masked together (units.ts): each real token; each word (its ## pieces with it); each
   * segment of the PMI lexicon; each tagged entity run or noun/verb.
   */
  units: 'token' | 'word' | 'segment' | 'entity';
  /**
   * What the run must provide: word boundaries, POS tags (Brown only), an n-gram lexicon learned
   * from a corpus (Brown or your text), or the model's own attention at each step.
   */
  needs: readonly StrategyNeed[];
  /**
   * The largest share of a row one step may mask when it exceeds the rate and its schedule (it
   * sizes the prediction slots): 'row' = all of it; otherwise the parameter that holds it.
   */
  peakRate?: 'row' | string;
  /** Parameter pairs [low, high] that must be ordered, low ≤ high. */
  ordered?: readonly (readonly [string, string])[];
  params: readonly ParamSpec[];
}

export type StrategyNeed = 'words' | 'tags' | 'lexicon' | 'attention';

/** How the setup panel names each need. */
export const NEED_LABELS: Readonly<Record<StrategyNeed, string>> = {
  words: 'word boundaries',
  tags: 'part-of-speech tags',
  lexicon: 'an n-gram lexicon learned from a corpus',
  attention: 'the model’s attention',
};

/** A number parameter (the image registry builds its table with these too). */
export const num = (key: string, label: string, def: number, min: number, max: number, help: string, integer = false): ParamSpec => ({
  key,
  label,
  help,
  default: def,
  type: { kind: 'number', min, max, ...(integer ? { integer } : {}) },
});
export const choice = (key: string, label: string, def: string, values: readonly string[], help: string): ParamSpec => ({ key, label, help, default: def, type: { kind: 'enum', values } });

/** Parameters every strategy has: budget, schedule and corruption (spec §0, A9, C/1). */
export const COMMON_PARAMS: readonly ParamSpec[] = [
  num('rate', 'Mask rate', 0.15, 0.05, 0.8, 'Fraction of the real tokens ([CLS] and [SEP] included, as in BERT) to predict. With a schedule, the starting point p0.'),
  num('maxPredictions', 'Max predictions', 0, 0, 512, 'Cap on predicted tokens per sequence; 0 = round(T·0.15)+1 scaled to the rate (20 at T=128, 15%).', true),
  choice('schedule', 'Rate schedule', 'constant', ['constant', 'cosine', 'linear'], 'Masking-ratio decay (spec A9): cosine p(s)=p0(1+cos(πs/S))+0.02; linear p(s)=2p0(1−s/S).'),
  num('maskProb', '[MASK] share', 0.8, 0, 1, 'Share of chosen tokens replaced by [MASK] (BERT 0.8, ELECTRA 0.85, all-[MASK] 1).'),
  num('randomProb', 'Random share', 0.1, 0, 1, 'Share replaced by a random token; the rest keep their token (BERT 0.1, ELECTRA 0, all-[MASK] 0).'),
  choice('randomFrom', 'Random tokens from', 'uniform', ['uniform', 'unigram'], 'uniform over ordinary tokens (BERT), or by training-split frequency (SpanBERT).'),
  choice('corruptBy', 'Corruption decided per', 'token', ['token', 'unit'], 'token: each chosen token draws MASK/RANDOM/KEEP (BERT); unit: one draw per word/span (SpanBERT --replacement-method span).'),
];

/** The corruption presets of issue [C]: BERT 80/10/10, ELECTRA 85/0/15, all-[MASK] 100/0/0. */
export const CORRUPTION_PRESETS = {
  bert: { maskProb: 0.8, randomProb: 0.1 },
  electra: { maskProb: 0.85, randomProb: 0 },
  'all-mask': { maskProb: 1, randomProb: 0 },
} as const;

export const STRATEGIES: readonly StrategySpec[] = [
  {
    id: 'random',
    name: 'Random tokens (BERT)',
    description: 'Shuffle the real tokens and predict the first n, n = round(rate·L); each chosen token is replaced by [MASK], a random token or itself. The original BERT recipe, and the baseline every other strategy is compared with.',
    source: 'Devlin et al. 2019, google-research/bert create_pretraining_data.py; "Should You Mask 15%?" (Wettig et al. 2023)',
    selection: 'shuffle',
    units: 'token',
    needs: [],
    params: [],
  },
  {
    id: 'whole-word',
    name: 'Whole-word masking',
    description: 'Group every ## piece with its word, shuffle the words, and take words while they fit the budget, so a word is always masked whole; each piece is still predicted on its own. Harder than random tokens: a half-masked word cannot be completed from its other pieces.',
    source: 'google-research/bert README (whole word masking) and create_pretraining_data.py do_whole_word_mask; Chinese-BERT-wwm',
    selection: 'shuffle',
    units: 'word',
    needs: ['words'],
    params: [],
  },
  {
    id: 'span',
    name: 'Span masking (SpanBERT)',
    description: 'Repeatedly draw a span length in words from a truncated geometric distribution and a random anchor token, snap to the start of its word and mask that many whole words, until ceil(rate·L) tokens are masked. Mean span ≈ 3.8 words at p = 0.2.',
    source: 'Joshi et al. 2020, facebookresearch/SpanBERT pretraining/fairseq/data/masking.py (PairWithSpanMaskingScheme)',
    selection: 'spans',
    units: 'word',
    ordered: [['min', 'max']],
    needs: ['words'],
    params: [
      num('p', 'Geometric p', 0.2, 0.01, 0.99, 'Parameter of the span-length distribution P(ℓ) ∝ p(1−p)^(ℓ−min).'),
      num('min', 'Min span (words)', 1, 1, 10, 'Shortest span.', true),
      num('max', 'Max span (words)', 10, 1, 20, 'Longest span.', true),
    ],
  },
  {
    id: 'ngram',
    name: 'N-gram masking',
    description: 'Like span masking, but the span length n (in words) is drawn from explicit probabilities, e.g. 1- to 4-grams at 40/30/20/10% (MacBERT); contiguous whole-word n-grams are masked until the budget is met.',
    source: 'ERNIE-Gram (Xiao et al. 2021) in its cheap playground form; MacBERT n-gram probabilities (ymcui/MacBERT README, unverified)',
    selection: 'spans',
    units: 'word',
    needs: ['words'],
    params: [{ key: 'probs', label: 'n-gram probabilities', help: 'Weights of n = 1, 2, …, up to 5 (normalised).', default: '0.4,0.3,0.2,0.1', type: { kind: 'weights', minLength: 1, maxLength: 5 } }],
  },
  {
    id: 'pmi',
    name: 'PMI masking',
    description: 'Word n-grams (n = 2–5) that occur together far more often than chance (high PMI) are treated as one unit, found by longest-match segmentation with a lexicon learned from the training split; units are then masked whole, like whole words.',
    source: 'Levine et al. 2021, AI21Labs/pmi-masking README',
    selection: 'shuffle',
    units: 'segment',
    needs: ['words', 'lexicon'],
    params: [
      num('minCount', 'Min n-gram count', 5, 2, 1000, 'An n-gram must occur at least this often in the training split (10 in the paper, lowered for a 1M-word corpus).', true),
      num('lexiconSize', 'Lexicon size', 5000, 100, 1_000_000, 'Entries kept, by PMI, with the paper’s mix of 50% bigrams, 25% trigrams, 12.5% 4- and 5-grams (on Brown, past ~3,000 bigrams the entries become ordinary word pairs).', true),
    ],
  },
  {
    id: 'entity',
    name: 'Entity / POS masking',
    description: 'Uses the Brown POS tags: with probability entityProb mask a whole proper-noun run (a named entity), otherwise a noun or verb chosen from the selected classes; only tagged words are ever masked.',
    source: 'SpanBERT NERSpanMaskingScheme (--ner-masking-prob 0.5); Linguistic Entity Masking (nouns, verbs, named entities)',
    selection: 'spans',
    units: 'entity',
    needs: ['words', 'tags'],
    params: [
      num('entityProb', 'Entity probability', 0.5, 0, 1, 'Chance that a draw masks a whole proper-noun run rather than a single noun/verb.'),
      choice('classes', 'Word classes', 'noun+verb', ['noun+verb', 'noun', 'verb'], 'Which common words may be masked besides entities.'),
    ],
  },
  {
    id: 'attention',
    name: 'Attention-guided (AttMask)',
    description: 'Scores each token by the last layer’s [CLS]→token attention (mean over heads) on the unmasked batch, computed with the current weights before masking; "high" masks the most attended tokens, "low" the least, "hint" masks high but reveals a few of the top ones. Applied to each sequence with probability applyProb, random otherwise; random at step 0, before any trained attention exists.',
    source: 'Kakogeorgiou et al. 2022, gkakogeorgiou/attmask attmask.py (image → text adaptation, experimental)',
    selection: 'scores',
    units: 'token',
    peakRate: 'ratioMax',
    ordered: [['ratioMin', 'ratioMax']],
    needs: ['attention'],
    params: [
      choice('mode', 'Mode', 'high', ['high', 'low', 'hint'], 'Which tokens to mask.'),
      num('ratioMin', 'Ratio min', 0.1, 0.01, 0.8, 'Per-step ratio r ~ U(ratioMin, ratioMax) (AttMask pred_ratio 0.3 ± 0.2).'),
      num('ratioMax', 'Ratio max', 0.5, 0.01, 0.8, 'Upper end of the per-step ratio.'),
      num('applyProb', 'Apply probability', 0.5, 0, 1, 'Chance a sequence uses attention-guided masking (AttMask masking_prob).'),
      num('showMax', 'Hint share', 0.1, 0, 0.5, 'hint mode: reveals ⌊showMax·r·L⌋ tokens drawn from the top of the ranking.'),
    ],
  },
  {
    id: 'frequency',
    name: 'Frequency-weighted',
    description: 'Draws tokens without replacement with probability ∝ count(token)^−α, so rare tokens are masked more often than under uniform masking (α = 0 is uniform random masking).',
    source: 'ELECTRA pretrain_helpers.py proposal distribution (generic hook); no canonical α (unverified)',
    selection: 'weighted',
    units: 'token',
    needs: [],
    params: [num('alpha', 'α', 0.5, 0, 2, 'Exponent of the inverse frequency weight.')],
  },
  {
    id: 'diffusion',
    name: 'Masked diffusion (random rate)',
    description: 'Each sequence gets its own rate t ~ U(ε, 1), spread evenly over the batch (antithetic), and every token is masked independently with probability (1−ε)t, always with [MASK]; each masked token’s loss is weighted 1/t. Trains a model that can unmask step by step.',
    source: 'Sahoo et al. 2024 (MDLM), kuleshov-group/mdlm diffusion.py _sample_t/q_xt; u-PMLM; LLaDA',
    selection: 'bernoulli',
    units: 'token',
    peakRate: 'row',
    needs: [],
    params: [num('eps', 'ε', 1e-3, 1e-6, 0.1, 'Smallest rate (MDLM default 1e-3).')],
  },
];

export function strategyById(id: string): StrategySpec | undefined {
  return STRATEGIES.find((s) => s.id === id);
}

/** The spec of a parsed config's strategy (parseMaskingConfig only admits registered ids). */
export function strategyOf(m: MaskingConfig): StrategySpec {
  const s = strategyById(m.strategy);
  if (!s) throw new Error(`Unknown masking strategy "${m.strategy}". Strategies: ${STRATEGIES.map((x) => x.id).join(', ')}.`);
  return s;
}

/** All parameters of a strategy: its own, then the common ones. */
export function paramsOf(s: StrategySpec): readonly ParamSpec[] {
  return [...s.params, ...COMMON_PARAMS];
}

export interface MaskingConfig {
  strategy: string;
  params: Record<string, ParamValue>;
}

export interface ParamProblem {
  param: string;
  message: string;
}

function describeType(t: ParamType): string {
  if (t.kind === 'number') return `${t.integer ? 'a whole number' : 'a number'} from ${t.min} to ${t.max}`;
  if (t.kind === 'enum') return `one of ${t.values.join(', ')}`;
  return `${t.minLength} to ${t.maxLength} comma-separated non-negative weights with a positive sum`;
}

function coerce(spec: ParamSpec, raw: ParamValue): ParamValue | null {
  const t = spec.type;
  if (t.kind === 'number') {
    const v = typeof raw === 'number' ? raw : raw.trim() === '' ? NaN : Number(raw);
    if (!Number.isFinite(v) || v < t.min || v > t.max || (t.integer && !Number.isInteger(v))) return null;
    return v;
  }
  const s = String(raw).trim();
  if (t.kind === 'enum') return t.values.includes(s) ? s : null;
  const w = s.split(',').map((x) => Number(x.trim()));
  if (w.length < t.minLength || w.length > t.maxLength || w.some((x) => !Number.isFinite(x) || x < 0) || w.reduce((a, b) => a + b, 0) <= 0) return null;
  return w.join(',');
}

/**
 * Fills defaults and validates: every unknown parameter and every value out of range is a
 * problem naming the parameter and its range. Also checks the cross-parameter rules.
 */
export function parseMaskingConfig(strategy: string, raw: Record<string, ParamValue> = {}): { config: MaskingConfig | null; problems: ParamProblem[] } {
  const s = strategyById(strategy);
  if (!s) {
    return { config: null, problems: [{ param: 'strategy', message: `Unknown masking strategy "${strategy}". Strategies: ${STRATEGIES.map((x) => x.id).join(', ')}.` }] };
  }
  const specs = paramsOf(s);
  const problems: ParamProblem[] = [];
  for (const key of Object.keys(raw)) {
    if (!specs.some((p) => p.key === key)) {
      problems.push({ param: key, message: `"${key}" is not a parameter of ${s.id}. Its parameters: ${specs.map((p) => p.key).join(', ')}.` });
    }
  }
  const params: Record<string, ParamValue> = {};
  for (const p of specs) {
    const given = raw[p.key];
    if (given === undefined) {
      params[p.key] = p.default;
      continue;
    }
    const v = coerce(p, given);
    if (v === null) problems.push({ param: p.key, message: `${s.id}: ${p.key} must be ${describeType(p.type)} (got ${JSON.stringify(given)}).` });
    else params[p.key] = v;
  }
  if (problems.length === 0) {
    if ((params.maskProb as number) + (params.randomProb as number) > 1 + 1e-9) {
      problems.push({ param: 'randomProb', message: `${s.id}: maskProb + randomProb must be at most 1 (got ${params.maskProb} + ${params.randomProb}); the rest keep their token.` });
    }
    for (const [lo, hi] of s.ordered ?? []) {
      if ((params[lo] as number) > (params[hi] as number)) problems.push({ param: lo, message: `${s.id}: ${lo} (${params[lo]}) must not exceed ${hi} (${params[hi]}).` });
    }
  }
  return { config: problems.length ? null : { strategy: s.id, params }, problems };
}

/** One line per strategy and parameter, for `npm run train -- --list-masks`. */
export function describeRegistry(): string {
  const lines: string[] = [];
  const fmt = (p: ParamSpec) => `    ${p.key.padEnd(15)} default ${String(p.default).padEnd(16)} ${describeType(p.type)}. ${p.help}`;
  for (const s of STRATEGIES) {
    lines.push(`${s.id} — ${s.name}`, `  ${s.description}`, `  Source: ${s.source}`);
    if (s.params.length) lines.push('  Parameters:', ...s.params.map(fmt));
    lines.push('');
  }
  lines.push('Parameters of every strategy:', ...COMMON_PARAMS.map(fmt));
  return lines.join('\n');
}
