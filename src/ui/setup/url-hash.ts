// A run's setup as a URL hash, so a lecturer can share "this preset, span masking at 40%, in
// presenter mode" as a link: `#preset=bert-micro&mask=span&m.rate=0.4&lr=0.003&presenter=1`.
// Only what differs from the named preset is written (links stay short and readable), keys come
// in one fixed order (the same setup always gives the same link), values are URI-encoded.
// Decoding starts from the preset, applies every key it can, and validates with the config's own
// validateConfig (which runs the registry's parseMaskingConfig), so a bad link gets the same
// messages as the CLI and the setup panel; a key that is unknown or invalid is dropped with a
// message naming the key, the value and what is allowed, and the rest of the link still applies.
// Not here: reading or writing window.location, or the store (the caller owns both).

import { paramsOf, strategyById, type ParamValue } from '../../masking/registry.ts';
import type { ProbeTaskId } from '../../data/probe-tasks.ts';
import { OBJECTIVES, objectiveParams, validateObjective } from '../../objectives/registry.ts';
import { PRESETS, presetById, presetConfig, probeOf, validateConfig, type RunConfig } from '../../model/config.ts';

/** View state that travels with a setup but is not part of the run's config. */
export interface SetupExtras {
  /** Presenter mode (big fonts, hidden controls). Written only when true. */
  presenter?: boolean;
  /** The probe sentence. Written only when non-empty. */
  probe?: string;
  /** Which view is shown. Written only when non-empty. */
  view?: string;
  /** Labels of extra runs to overlay. Written only when non-empty. */
  compare?: string[];
}

export interface DecodedSetup {
  config: RunConfig;
  extras: SetupExtras;
  /** One sentence per ignored key: the key, the value given, and what is allowed. */
  problems: string[];
}

export const DEFAULT_PRESET = 'bert-micro';

/**
 * Hash key ↔ config path for every plain field. The path is also validateConfig's field name,
 * which is how a validation problem finds the key to drop. Order here is the order in the hash.
 */
const FIELD_KEYS: readonly (readonly [key: string, path: string])[] = [
  ['objective', 'objective'],
  ['L', 'model.L'],
  ['C', 'model.C'],
  ['NH', 'model.NH'],
  ['FFN', 'model.FFN'],
  ['T', 'model.T'],
  ['initStd', 'model.initStd'],
  ['lnEps', 'model.layerNormEps'],
  ['lr', 'train.lr'],
  ['warmup', 'train.warmupSteps'],
  ['decay', 'train.decay'],
  ['wd', 'train.weightDecay'],
  ['beta1', 'train.beta1'],
  ['beta2', 'train.beta2'],
  ['adamEps', 'train.adamEps'],
  ['clip', 'train.maxGradNorm'],
  ['batch', 'train.batch'],
  ['steps', 'train.steps'],
  ['seed', 'train.seed'],
  ['evalEvery', 'train.evalEvery'],
  ['evalBatches', 'train.evalBatches'],
  ['logEvery', 'train.logEvery'],
  ['data', 'data.source'],
  ['tok', 'data.tokenizer'],
  ['vocab', 'data.vocabSize'],
  ['probeEvery', 'probe.every'],
  ['probeBudget', 'probe.budget'],
];
/** Each objective parameter's key (`e.discWeight`), generated from the objective registry. */
const OBJECTIVE_KEYS = OBJECTIVES.flatMap((o) => o.params.map((p) => ({ objective: o, param: p, key: `${o.urlPrefix}.${p.key}`, field: `${o.id}.${p.key}` })));
const EXTRA_KEYS = ['presenter', 'probe', 'view', 'compare'] as const;

/** Every key a hash may hold, for "unknown key" messages. */
export const HASH_KEYS: readonly string[] = [
  'preset',
  'mask',
  'm.<masking parameter>',
  ...OBJECTIVE_KEYS.map((k) => k.key),
  ...FIELD_KEYS.map(([k]) => k),
  'probeTasks',
  ...EXTRA_KEYS,
];

/**
 * Cross-field rules: a problem reported on the first path may be caused by the others, so when
 * the link did not set the first, the first of these it did set is dropped instead.
 */
const CAUSES: Record<string, readonly string[]> = {
  'model.NH': ['NH', 'C'],
  'masking.randomProb': ['m.randomProb', 'm.maskProb', 'objective'],
  'masking.min': ['m.min', 'm.max'],
  'masking.ratioMin': ['m.ratioMin', 'm.ratioMax'],
};

const DATA_ALIASES: Record<string, string> = { synthetic: 'synthetic-successor' };

type Loose = Record<string, unknown>;

function getPath(c: RunConfig, path: string): unknown {
  return path.split('.').reduce<unknown>((o, k) => (o as Loose)[k], c);
}

function setPath(c: RunConfig, path: string, v: unknown): void {
  const parts = path.split('.');
  const last = parts.pop()!;
  (parts.reduce<unknown>((o, k) => (o as Loose)[k], c) as Loose)[last] = v;
}

const fmt = (v: unknown): string => (typeof v === 'boolean' ? (v ? '1' : '0') : String(v));
const enc = (k: string, v: string) => `${k}=${encodeURIComponent(v)}`;

/** The hash for a config: `#preset=<id>` plus every field that differs from that preset. */
export function encodeSetup(setup: RunConfig, extras: SetupExtras = {}): string {
  // Configs saved before probes existed are written with the default probe settings.
  const config: RunConfig = setup.probe ? setup : { ...setup, probe: probeOf(setup) };
  // A config whose preset is unknown is written against the default, so decoding restores its
  // fields (only the preset's name is lost, with a message).
  const base = presetConfig(presetById(config.preset) ? config.preset : DEFAULT_PRESET);
  const parts = [enc('preset', config.preset)];
  const differs = (path: string) => getPath(config, path) !== getPath(base, path);

  if (differs('objective')) parts.push(enc('objective', config.objective));
  const given = config.masking.params;
  const baseGiven = base.masking.params;
  // `mask=` resets the parameters to none given, so it is written when the strategy changed or
  // when the config dropped a parameter the preset gives.
  const reset = config.masking.strategy !== base.masking.strategy || Object.keys(baseGiven).some((k) => !(k in given));
  if (reset) parts.push(enc('mask', config.masking.strategy));
  const spec = strategyById(config.masking.strategy);
  const order = spec ? paramsOf(spec).map((p) => p.key) : [];
  const keys = [...order.filter((k) => k in given), ...Object.keys(given).filter((k) => !order.includes(k)).sort()];
  for (const k of keys) {
    if (reset || given[k] !== baseGiven[k]) parts.push(enc(`m.${k}`, fmt(given[k])));
  }
  for (const { objective, param, key } of OBJECTIVE_KEYS) {
    const v = objectiveParams(config, objective)[param.key];
    if (v !== objectiveParams(base, objective)[param.key]) parts.push(enc(key, fmt(v)));
  }
  // objective was written first (it reads as the headline of the link).
  for (const [key, path] of FIELD_KEYS) if (key !== 'objective' && differs(path)) parts.push(enc(key, fmt(getPath(config, path))));
  const tasks = probeOf(config).tasks;
  if (tasks.join(',') !== probeOf(base).tasks.join(',')) parts.push(enc('probeTasks', tasks.length ? tasks.join(',') : 'none'));

  if (extras.presenter) parts.push('presenter=1');
  if (extras.probe) parts.push(enc('probe', extras.probe));
  if (extras.view) parts.push(enc('view', extras.view));
  if (extras.compare?.length) parts.push(`compare=${extras.compare.map(encodeURIComponent).join(',')}`);
  return `#${parts.join('&')}`;
}

/** One key=value of the hash, in the order given; `raw` is still URI-encoded. */
interface Pair {
  key: string;
  raw: string;
  value: string;
}

const LONE_SURROGATE = /\p{Cs}/u;
const LONE_SURROGATES = /\p{Cs}/gu;

function splitHash(hash: string, problems: string[]): Map<string, Pair> {
  const pairs = new Map<string, Pair>();
  for (const part of hash.replace(/^#/, '').split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const rawKey = eq < 0 ? part : part.slice(0, eq);
    const raw = eq < 0 ? '' : part.slice(eq + 1);
    let key: string;
    let value: string;
    try {
      key = decodeURIComponent(rawKey);
      value = decodeURIComponent(raw);
    } catch {
      problems.push(`"${part}" has a broken %-escape and was ignored: write values with encodeURIComponent.`);
      continue;
    }
    // A raw lone surrogate (no browser puts one in a URL, but any string can be passed here)
    // decodes fine, then makes encodeURIComponent throw when the page rewrites the hash.
    if (LONE_SURROGATE.test(part)) {
      problems.push(`"${part.replace(LONE_SURROGATES, '\uFFFD')}" is not valid Unicode text and was ignored: write values with encodeURIComponent.`);
      continue;
    }
    if (pairs.has(key)) problems.push(`${key} is given twice; used the last value, ${JSON.stringify(value)}.`);
    pairs.set(key, { key, raw, value });
  }
  return pairs;
}

const BOOLS: Record<string, boolean> = { '1': true, true: true, '0': false, false: false };
/** A value from the link looked up in a table: own keys only, so `toString` finds no inherited function. */
const lookup = <T>(table: Record<string, T>, s: string): T | undefined => (Object.hasOwn(table, s) ? table[s] : undefined);

/** A number from the hash, or NaN so that validation reports it with the field's range. */
const toNumber = (s: string) => (s.trim() === '' ? NaN : Number(s));

/**
 * The config from a preset and a set of accepted keys. Pure: decoding rebuilds it each time it
 * drops a key, so a dropped key leaves no trace (e.g. a dropped `mask` brings back the preset's
 * strategy, and the m.* keys are then checked against that).
 */
function build(presetId: string, pairs: Map<string, Pair>): RunConfig {
  const c = presetConfig(presetId);
  const mask = pairs.get('mask');
  if (mask && mask.value !== c.masking.strategy) c.masking = { strategy: mask.value, params: {} };
  else if (mask) c.masking.params = {};
  const specs = strategyById(c.masking.strategy) ? paramsOf(strategyById(c.masking.strategy)!) : [];
  for (const { key, value } of pairs.values()) {
    if (!key.startsWith('m.')) continue;
    const k = key.slice(2);
    const spec = specs.find((p) => p.key === k);
    // Numbers stay numbers (as the panel gives them); a bad one stays text so the registry's
    // message quotes it.
    const n = toNumber(value);
    c.masking.params[k] = (spec?.type.kind === 'number' && Number.isFinite(n) ? n : value) satisfies ParamValue;
  }
  for (const { objective, param, key } of OBJECTIVE_KEYS) {
    const p = pairs.get(key);
    if (!p) continue;
    const block = objectiveParams(c, objective);
    (c as unknown as Loose)[objective.id] = { ...block, [param.key]: param.kind === 'flag' ? (lookup(BOOLS, p.value) ?? p.value) : toNumber(p.value) };
  }
  for (const [key, path] of FIELD_KEYS) {
    const p = pairs.get(key);
    if (!p) continue;
    const v = typeof getPath(c, path) === 'number' ? toNumber(p.value) : key === 'data' ? (lookup(DATA_ALIASES, p.value) ?? p.value) : p.value;
    setPath(c, path, v);
  }
  const tasks = pairs.get('probeTasks');
  // Unknown names stay in the list, so validation reports them with the allowed ones.
  if (tasks) c.probe = { ...probeOf(c), tasks: (tasks.value === 'none' ? [] : tasks.value.split(',').map((t) => t.trim())) as ProbeTaskId[] };
  return c;
}

/** The hash key a validation field belongs to. */
function keyOfField(field: string): string {
  if (field === 'masking.strategy') return 'mask';
  if (field.startsWith('masking.')) return `m.${field.slice(8)}`;
  const objectiveKey = OBJECTIVE_KEYS.find((k) => k.field === field);
  if (objectiveKey) return objectiveKey.key;
  if (field === 'probe.tasks') return 'probeTasks';
  return FIELD_KEYS.find(([, path]) => path === field)?.[0] ?? field;
}

/** validateConfig, plus every other objective's options too, so a link cannot carry bad ones. */
function problemsOf(c: RunConfig) {
  const others = OBJECTIVES.filter((o) => o.id !== c.objective).flatMap((o) => validateObjective(c, o));
  return [...validateConfig(c), ...others];
}

function describeDropped(p: Pair, message: string): string {
  // A value that did not parse was validated as NaN; say "not a number" instead of "got NaN".
  const notNumber = / \(got NaN\)\.$/.test(message);
  const reason = notNumber ? message.replace(/ \(got NaN\)\.$/, '.') : message;
  return `${p.key}=${p.value} ${notNumber ? 'is not a number; ignored' : 'ignored'}: ${reason}`;
}

/** The config and extras a hash describes, and a message for every key it had to ignore. */
export function decodeSetup(hash: string): DecodedSetup {
  const problems: string[] = [];
  const pairs = splitHash(hash, problems);

  let preset = DEFAULT_PRESET;
  const p = pairs.get('preset');
  if (p && presetById(p.value)) preset = p.value;
  else if (p) problems.push(`preset=${p.value} is not a preset; used ${DEFAULT_PRESET}. Presets: ${PRESETS.map((x) => x.id).join(', ')}.`);
  pairs.delete('preset');

  const extras: SetupExtras = {};
  const presenter = pairs.get('presenter');
  if (presenter) {
    // A bare `presenter` (no value) means on.
    const on = presenter.value === '' ? true : lookup(BOOLS, presenter.value);
    if (on === undefined) problems.push(`presenter=${presenter.value} ignored: use presenter=1 or presenter=0.`);
    else if (on) extras.presenter = true;
  }
  if (pairs.get('probe')?.value) extras.probe = pairs.get('probe')!.value;
  if (pairs.get('view')?.value) extras.view = pairs.get('view')!.value;
  const compare = pairs.get('compare');
  if (compare) extras.compare = compare.raw.split(',').map((s) => decodeURIComponent(s));
  for (const k of EXTRA_KEYS) pairs.delete(k);

  const known = new Set(['mask', 'probeTasks', ...OBJECTIVE_KEYS.map((k) => k.key), ...FIELD_KEYS.map(([k]) => k)]);
  for (const q of [...pairs.values()]) {
    if (known.has(q.key) || q.key.startsWith('m.')) continue;
    problems.push(`Unknown key "${q.key}" (value ${JSON.stringify(q.value)}) ignored. Keys: ${HASH_KEYS.join(', ')}.`);
    pairs.delete(q.key);
  }

  // Drop the key behind each problem and rebuild, until the config validates. Each round drops
  // at least one key, so this ends.
  let config = build(preset, pairs);
  for (;;) {
    const dropped: Pair[] = [];
    const unowned: string[] = [];
    for (const prob of problemsOf(config)) {
      const candidates = [keyOfField(prob.field), ...(CAUSES[prob.field] ?? [])];
      const owner = candidates.map((k) => pairs.get(k)).find((x) => x !== undefined);
      if (!owner) unowned.push(prob.message);
      else if (!dropped.includes(owner)) {
        dropped.push(owner);
        problems.push(describeDropped(owner, prob.message));
      }
    }
    if (dropped.length === 0) {
      // Only reachable if a preset itself were invalid; say so rather than hide it.
      problems.push(...unowned);
      break;
    }
    for (const d of dropped) pairs.delete(d.key);
    config = build(preset, pairs);
  }
  return { config, extras, problems };
}
