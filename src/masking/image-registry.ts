// Image (patch) masking strategies as data (spec ../shared/masking-spec.md §C): id, name,
// description, source, and typed parameters with defaults and ranges, so the setup panel, the URL
// hash and the CLI can all be generated from this table and validate through
// parseImageMaskingConfig (same message everywhere: the parameter, what was given, what is allowed).
// Shape-dependent checks (grid size, minPatches ≤ L, …) live in imageMaskPlan (image-tables.ts),
// which knows gh × gw.
// What it does not do: pick patches (image.ts on the CPU, masking_image.wgsl on the GPU).
import { choice, num, type ParamProblem, type ParamSpec, type ParamType, type ParamValue } from './registry.ts';

export type { ParamProblem, ParamSpec, ParamValue } from './registry.ts';

export type ImageStrategyId = 'mae-random' | 'grid' | 'blockwise';

export interface ImageStrategySpec {
  id: ImageStrategyId;
  name: string;
  description: string;
  source: string;
  /**
   * Every image of a batch keeps the same number of patches (true for MAE random and grid): what a
   * fixed-length MAE encoder needs. Blockwise counts vary per image: a fixed-count consumer must
   * use another strategy or pad to the largest count.
   */
  fixedCount: boolean;
  params: readonly ParamSpec[];
}

/** Largest patch grid the masks support (L = gh·gw): one invocation per image walks it. */
export const IMAGE_MAX_PATCHES = 256;

export const IMAGE_STRATEGIES: readonly ImageStrategySpec[] = [
  {
    id: 'mae-random',
    name: 'Random patches (MAE)',
    description: 'Per image, sort the patches by seeded noise and keep the first ⌊L·(1−ratio)⌋ visible (at least one); the rest are hidden and reconstructed. Every image keeps the same number of patches, so the encoder sees a fixed-length sequence.',
    source: 'He et al. 2022, facebookresearch/mae models_mae.py random_masking (mask_ratio 0.75)',
    fixedCount: true,
    params: [num('ratio', 'Mask ratio', 0.75, 0.05, 0.95, 'Share of patches hidden: L − ⌊L·(1−ratio)⌋ of L (MAE default 0.75).')],
  },
  {
    id: 'grid',
    name: 'Regular grid (MAE ablation)',
    description: 'Keep one patch of every 2×2 square (patches with row % 2 = oᵣ and column % 2 = o꜀), hide the other three: a 75% mask (on even grids) with regularly spaced visible patches. The ratio does not apply: the kept count is ⌈(gh−oᵣ)/2⌉·⌈(gw−o꜀)/2⌉, the same for every image.',
    source: 'He et al. 2022 (MAE), Figure 6 / Table 1(f) mask sampling ablation; the paper reports random beats grid and block at high ratios (unverified)',
    fixedCount: true,
    params: [
      choice('offset', 'Grid offset', 'fixed', ['fixed', 'seeded'], 'fixed: (oᵣ, o꜀) = (0, 0) for every image, the pattern of the MAE figure; seeded: each image draws its own offset from (seed, step, image). Seeded needs an even gh and gw, so every image still keeps the same count.'),
    ],
  },
  {
    id: 'blockwise',
    name: 'Blockwise (BEiT)',
    description: 'Hide random rectangles until n = round(ratio·L) patches are hidden: each block draws an area s ~ U(minPatches, remaining) and an aspect a ~ logU(minAspect, 1/minAspect), takes h = round√(s·a), w = round√(s/a), and a random position; it is kept if it hides between 1 and the remaining count of new patches, with 10 tries per block; masking stops early when a block adds nothing. So images hide up to n patches and their counts vary.',
    source: 'Bao et al. 2022 (BEiT), microsoft/unilm beit/masking_generator.py MaskingGenerator, run_beit_pretraining.py (75 of 14×14 patches, min_num_patches 16, min_aspect 0.3)',
    fixedCount: false,
    params: [
      num('ratio', 'Mask ratio', 0.75, 0.05, 0.95, 'Target share of patches hidden, n = round(ratio·L); blocks may stop short of it (on 7×7 they hide 36.9 of 37 on average). Default 0.75 like the other image masks, so they compare at one ratio; BEiT itself hides 75 of 196 ≈ 0.38.'),
      num('minPatches', 'Min block area', 0, 0, IMAGE_MAX_PATCHES, 'Smallest block area s in patches; 0 = BEiT’s 16 of 196 scaled to the grid, max(1, round(16·L/196)): 4 on 7×7, 1 on 4×4, 16 on 14×14.', true),
      num('minAspect', 'Min aspect', 0.3, 0.1, 1, 'Block aspect h/w is drawn log-uniformly from [minAspect, 1/minAspect] (BEiT 0.3); 1 gives square blocks.'),
    ],
  },
];

export function imageStrategyById(id: string): ImageStrategySpec | undefined {
  return IMAGE_STRATEGIES.find((s) => s.id === id);
}

export interface ImageMaskingConfig {
  strategy: ImageStrategyId;
  params: Record<string, ParamValue>;
}

function describeType(t: ParamType): string {
  if (t.kind === 'number') return `${t.integer ? 'a whole number' : 'a number'} from ${t.min} to ${t.max}`;
  if (t.kind === 'enum') return `one of ${t.values.join(', ')}`;
  return `${t.minLength} to ${t.maxLength} comma-separated weights`;
}

function coerce(t: ParamType, raw: ParamValue): ParamValue | null {
  if (t.kind === 'number') {
    const v = typeof raw === 'number' ? raw : raw.trim() === '' ? NaN : Number(raw);
    return Number.isFinite(v) && v >= t.min && v <= t.max && (!t.integer || Number.isInteger(v)) ? v : null;
  }
  if (t.kind === 'enum') {
    const s = String(raw).trim();
    return t.values.includes(s) ? s : null;
  }
  return null; // no image strategy has weight lists
}

/**
 * Fills defaults and validates one strategy's parameters: an unknown strategy or parameter, or a
 * value out of range, is a problem naming it and what is allowed. Raw values may be strings (URL
 * hash, CLI). Grid-dependent checks come later, in imageMaskPlan.
 */
export function parseImageMaskingConfig(strategy: string, raw: Record<string, ParamValue> = {}): { config: ImageMaskingConfig | null; problems: ParamProblem[] } {
  const s = imageStrategyById(strategy);
  if (!s) {
    return { config: null, problems: [{ param: 'strategy', message: `Unknown image masking strategy "${strategy}". Strategies: ${IMAGE_STRATEGIES.map((x) => x.id).join(', ')}.` }] };
  }
  const problems: ParamProblem[] = [];
  for (const key of Object.keys(raw)) {
    if (!s.params.some((p) => p.key === key)) {
      const has = s.params.length ? `Its parameters: ${s.params.map((p) => p.key).join(', ')}.` : 'It has no parameters.';
      const why = key === 'ratio' && s.id === 'grid' ? ' The grid always hides 3 of every 4 patches, so the ratio does not apply.' : '';
      problems.push({ param: key, message: `"${key}" is not a parameter of ${s.id}.${why} ${has}` });
    }
  }
  const params: Record<string, ParamValue> = {};
  for (const p of s.params) {
    const given = raw[p.key];
    if (given === undefined) {
      params[p.key] = p.default;
      continue;
    }
    const v = coerce(p.type, given);
    if (v === null) problems.push({ param: p.key, message: `${s.id}: ${p.key} must be ${describeType(p.type)} (got ${JSON.stringify(given)}).` });
    else params[p.key] = v;
  }
  return { config: problems.length ? null : { strategy: s.id, params }, problems };
}

/** One line per strategy and parameter, for a CLI's --list-image-masks. */
export function describeImageRegistry(): string {
  const lines: string[] = [];
  for (const s of IMAGE_STRATEGIES) {
    lines.push(`${s.id} — ${s.name}${s.fixedCount ? '' : ' (kept count varies per image)'}`, `  ${s.description}`, `  Source: ${s.source}`);
    if (s.params.length) lines.push('  Parameters:', ...s.params.map((p) => `    ${p.key.padEnd(12)} default ${String(p.default).padEnd(8)} ${describeType(p.type)}. ${p.help}`));
    lines.push('');
  }
  return lines.join('\n');
}
