// The setup hash under hostile links, fuzzed (issue [L] item 5): any string, and `key=value&…`
// built from the real keys with hostile values (huge numbers, NaN, unicode, broken %-escapes,
// prototype names, repeated and empty keys), must decode without throwing into a valid config
// plus one message per thing it ignored; and what it decodes to must itself make a link that
// reads back the same, with no problems (the page rewrites the hash from the decoded setup).
// Seeded: the same cases every run; fast-check prints the seed and the shrunk case on a failure.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { paramsOf, STRATEGIES } from '../../masking/registry.ts';
import { PRESETS, validateConfig, type RunConfig } from '../../model/config.ts';
import { OBJECTIVES, objectiveParams, validateObjective } from '../../objectives/registry.ts';
import { decodeSetup, encodeSetup, HASH_KEYS, type DecodedSetup } from './url-hash.ts';

const SEED = 20261122;
// A case decodes two links, each up to a few ms when it drops several keys (every drop rebuilds
// and revalidates the config); the whole suite on 2 loaded cores runs several times slower.
const TIMEOUT_MS = 30_000;

/** A property as a test whose name carries its case count. */
function fuzz<T>(name: string, numRuns: number, property: () => fc.IProperty<T>): void {
  it(`${name} (${numRuns} cases)`, () => fc.assert(property(), { numRuns, seed: SEED }), TIMEOUT_MS);
}

/** What every decoded hash must be: a config that validates (every objective's options too) and problems as sentences. */
function expectWellFormed(d: DecodedSetup): void {
  expect(validateConfig(d.config)).toEqual([]);
  for (const o of OBJECTIVES) expect(validateObjective(d.config, o)).toEqual([]);
  expect(d.problems.every((p) => typeof p === 'string' && p.length > 0)).toBe(true);
  const { presenter, probe, view, compare } = d.extras;
  expect(presenter === undefined || presenter === true).toBe(true);
  expect(probe === undefined || (typeof probe === 'string' && probe !== '')).toBe(true);
  expect(view === undefined || (typeof view === 'string' && view !== '')).toBe(true);
  expect(compare === undefined || (Array.isArray(compare) && compare.every((c) => typeof c === 'string'))).toBe(true);
}

// Any UTF-16 code unit, lone surrogates included: fast-check's own string units never give those.
const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));

const realKeys = [
  ...HASH_KEYS.filter((k) => !k.includes('<')),
  ...new Set(STRATEGIES.flatMap((s) => paramsOf(s).map((p) => `m.${p.key}`))),
  ...OBJECTIVES.flatMap((o) => o.params.map((p) => `${o.urlPrefix}.${p.key}`)),
];
const hostileKeys = ['', '=', 'm.', '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'm.__proto__', 'm.constructor', 'e.__proto__', 'PRESET', 'preset '];
const key = fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...realKeys) }, fc.constantFrom(...hostileKeys), fc.string({ maxLength: 8 }));

const ids = [...PRESETS.map((p) => p.id), ...STRATEGIES.map((s) => s.id), ...OBJECTIVES.map((o) => o.id), 'brown', 'text', 'synthetic', 'synthetic-copy', 'char', 'wordpiece', 'cosine', 'genre', 'pos', 'none'];
const hostileValues = ['', ' ', 'NaN', 'Infinity', '-Infinity', '1e308', '1e309', '-1e400', '5e-324', '0x1F', '0b11', '1_000', ' 7 ', '-0', '0', '1', '-1', 'true', 'false', 'yes'];
const protoNames = ['__proto__', 'constructor', 'toString', 'valueOf', 'hasOwnProperty'];
const brokenEscapes = ['%', '%%', '%G1', '%E2%82', '%ED%A0%80', '%C0%AF', '%FF', '%00', '%25', '%2', ',', ',,', '&', '=='];
/** A value as it appears in the link: some URI-encoded, some raw (so &, =, # and % may split or break it). */
const rawValue = fc.oneof(
  fc.constantFrom(...ids, ...hostileValues, ...protoNames, ...brokenEscapes),
  fc.double().map(String),
  fc.bigInt({ min: -(10n ** 400n), max: 10n ** 400n }).map(String),
  fc.integer().map(String),
  fc.string({ unit: 'binary', maxLength: 12 }).map(encodeURIComponent),
  fc.string({ unit: codeUnit, maxLength: 12 }),
  fc.array(fc.constantFrom(...ids, '', ' genre'), { maxLength: 4 }).map((xs) => xs.join(',')),
);
const pair = fc.tuple(key, rawValue, fc.constantFrom('k=v', 'k=v', 'k=v', 'k', 'enc')).map(([k, v, form]) => (form === 'k' ? k : form === 'enc' ? `${encodeURIComponent(k)}=${v}` : `${k}=${v}`));
const structuredHash = fc.tuple(fc.constantFrom('#', '', '##', '#&'), fc.array(pair, { maxLength: 12 }), fc.constantFrom('&', '&', '&&')).map(([head, pairs, sep]) => head + pairs.join(sep));

/**
 * The config with every objective's options filled in with their defaults, as the app reads them
 * (objectiveParams): `pos.eta=0` adds a `position` block holding the default, which the link then
 * leaves out, and both mean the same setup.
 */
function filled(c: RunConfig): RunConfig {
  const out: Record<string, unknown> = { ...c };
  for (const o of OBJECTIVES) if (o.params.length) out[o.id] = objectiveParams(c, o);
  return out as unknown as RunConfig;
}

/** Decoding never throws; the setup decoded makes a link that reads back the same, with no problems. */
function checkHash(hash: string): void {
  const d = decodeSetup(hash);
  expectWellFormed(d);
  const link = encodeSetup(d.config, d.extras);
  const again = decodeSetup(link);
  expect(again.problems).toEqual([]);
  expect(filled(again.config)).toEqual(filled(d.config));
  expect(again.extras).toEqual(d.extras);
  expect(encodeSetup(again.config, again.extras)).toBe(link);
}

describe('hostile setup links (fuzzed)', () => {
  fuzz('any string of UTF-16 code units decodes to a valid setup, without throwing', 200, () => fc.property(fc.string({ unit: codeUnit, maxLength: 64 }), checkHash));

  fuzz('any string of unicode characters decodes to a valid setup, without throwing', 200, () => fc.property(fc.string({ unit: 'binary', maxLength: 64 }), checkHash));

  fuzz('real keys with hostile values, repeated, bare or broken, decode to a valid setup', 300, () => fc.property(structuredHash, checkHash));

  // Only '', 1 and true turn presenter mode on: not 'toString' (an object's inherited key), not 'yes'.
  fuzz('presenter mode is on exactly when the last presenter value says so', 200, () =>
    fc.property(fc.array(pair, { maxLength: 4 }), fc.constantFrom(...hostileValues, ...protoNames, 'presenter'), (others, value) => {
      const rest = others.filter((p) => !p.startsWith('presenter'));
      const d = decodeSetup(`#${[...rest, `presenter=${encodeURIComponent(value)}`].join('&')}`);
      expect(d.extras.presenter ?? false).toBe(['', '1', 'true'].includes(value));
    }),
  );
});
