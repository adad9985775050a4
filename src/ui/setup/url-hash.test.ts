// The setup hash: exact round trips, minimal links, and a clear message (key, value, what is
// allowed) for every key a link gets wrong, with the rest of the link still applied.
import { describe, expect, it } from 'vitest';
import { paramsOf, STRATEGIES, type ParamSpec, type ParamValue } from '../../masking/registry.ts';
import { PRESETS, presetConfig, validateConfig, type RunConfig } from '../../model/config.ts';
import { decodeSetup, encodeSetup, type SetupExtras } from './url-hash.ts';

function changed(preset: string, edit: (c: RunConfig) => void): RunConfig {
  const c = presetConfig(preset);
  edit(c);
  expect(validateConfig(c)).toEqual([]);
  return c;
}

function roundTrip(c: RunConfig, x: SetupExtras = {}) {
  const hash = encodeSetup(c, x);
  const back = decodeSetup(hash);
  expect(back.problems, hash).toEqual([]);
  expect(back.config, hash).toEqual(c);
  expect(back.extras, hash).toEqual(x);
  return hash;
}

describe('encodeSetup / decodeSetup round trip', () => {
  it.each(PRESETS.map((p) => p.id))('preset %s unchanged gives #preset=… only', (id) => {
    expect(roundTrip(presetConfig(id))).toBe(`#preset=${id}`);
  });

  it('a changed masking strategy with its parameters', () => {
    const c = changed('bert-micro', (c) => {
      c.masking = { strategy: 'span', params: { p: 0.3, max: 5, rate: 0.4, schedule: 'cosine' } };
      c.train.lr = 0.003;
      c.train.steps = 300;
    });
    // Registry parameter order (own, then common), then fields, then extras.
    expect(roundTrip(c, { presenter: true })).toBe('#preset=bert-micro&mask=span&m.p=0.3&m.max=5&m.rate=0.4&m.schedule=cosine&lr=0.003&steps=300&presenter=1');
  });

  it('probe tasks, schedule and budget (probeTasks=none turns them off)', () => {
    const c = changed('bert-tiny', (c) => (c.probe = { tasks: ['genre'], every: 100, budget: 0.2 }));
    expect(roundTrip(c)).toBe('#preset=bert-tiny&probeEvery=100&probeBudget=0.2&probeTasks=genre');
    expect(roundTrip(changed('bert-micro', (c) => (c.probe!.tasks = [])))).toBe('#preset=bert-micro&probeTasks=none');
    const bad = decodeSetup('#preset=bert-micro&probeTasks=pos,ner&probeBudget=3&lr=0.002');
    expect(bad.config.probe).toEqual(presetConfig('bert-micro').probe);
    expect(bad.config.train.lr).toBe(0.002);
    expect(bad.problems.join(' ')).toMatch(/probeTasks=pos,ner ignored: probe.tasks must list distinct tasks from pos, genre/);
    expect(bad.problems.join(' ')).toMatch(/probeBudget=3 ignored: probe.budget must be a share/);
  });

  it('weights and enum parameters, and the same strategy as the preset with a parameter', () => {
    roundTrip(changed('bert-tiny', (c) => (c.masking = { strategy: 'ngram', params: { probs: '0.5,0.25,0.25', corruptBy: 'unit' } })));
    expect(roundTrip(changed('bert-micro', (c) => (c.masking.params = { rate: 0.25 })))).toBe('#preset=bert-micro&m.rate=0.25');
  });

  it('ELECTRA options, on an electra preset and switched on from an MLM preset', () => {
    roundTrip(
      changed('electra-micro', (c) => {
        c.electra = { discWeight: 20, genFraction: 0.5, temperature: 0.7, tiedEmbeddings: false, uniformGenerator: true, disallowCorrect: true, maskedOnly: true };
      }),
    );
    const hash = roundTrip(
      changed('bert-micro', (c) => {
        c.objective = 'electra';
        c.electra.maskedOnly = true;
      }),
    );
    expect(hash).toBe('#preset=bert-micro&objective=electra&e.maskedOnly=1');
  });

  it('every other field the panel edits', () => {
    roundTrip(
      changed('bert-tiny', (c) => {
        c.model = { ...c.model, L: 4, C: 96, NH: 3, FFN: 384, T: 64, initStd: 0.05 };
        c.train = { ...c.train, batch: 16, seed: 7, warmupSteps: 0, decay: 'cosine', weightDecay: 0, beta1: 0.8, beta2: 0.98, maxGradNorm: 0, evalEvery: 0, evalBatches: 2, lr: 1e-7 };
        c.data = { source: 'brown', tokenizer: 'char', vocabSize: 256 };
      }),
    );
    roundTrip(changed('bert-tiny', (c) => (c.data.source = 'synthetic-copy')));
  });

  it('every strategy with each parameter at the ends of its range', () => {
    const ends = (p: ParamSpec): ParamValue[] =>
      p.type.kind === 'number' ? [p.type.min, p.type.max] : p.type.kind === 'enum' ? [...p.type.values] : ['1', '0,0,0,0,2'];
    let n = 0;
    for (const s of STRATEGIES) {
      for (const p of paramsOf(s)) {
        for (const v of ends(p)) {
          for (const preset of ['bert-tiny', 'electra-micro']) {
            const c = presetConfig(preset);
            c.masking = { strategy: s.id, params: { [p.key]: v } };
            if (validateConfig(c).length) continue; // e.g. maskProb 1 + the default randomProb 0.1
            roundTrip(c);
            n++;
          }
        }
      }
    }
    expect(n).toBeGreaterThan(60);
  });

  it('extras: presenter, probe text with reserved characters, view, compare labels', () => {
    const x: SetupExtras = { presenter: true, probe: 'the [MASK] sat & ate = 100% #1', view: 'attention', compare: ['15% mask', 'a,b', 'électra'] };
    const hash = roundTrip(presetConfig('bert-micro'), x);
    // Spaces, brackets, '&', '=' and '#' in values are escaped: the hash stays one link.
    expect(hash).not.toMatch(/[\s[\]]/);
    expect(hash.split('#')).toHaveLength(2);
    expect(hash.split('&')).toHaveLength(5);
  });
});

describe('decodeSetup problems', () => {
  it('an empty hash is the default preset', () => {
    expect(decodeSetup('')).toEqual({ config: presetConfig('bert-micro'), extras: {}, problems: [] });
  });

  it('a bad number names the key, the value and the range; the rest applies', () => {
    const { config, problems } = decodeSetup('#preset=bert-tiny&lr=abc&steps=300');
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^lr=abc is not a number.*train\.lr must be a number from 1e-7 to 1/);
    expect(config.train.lr).toBe(presetConfig('bert-tiny').train.lr);
    expect(config.train.steps).toBe(300);
    expect(config.preset).toBe('bert-tiny');
  });

  it('an unknown key is ignored with the list of keys', () => {
    const { config, problems } = decodeSetup('#foo=1&L=3');
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/Unknown key "foo" \(value "1"\).*Keys: preset, mask, m\.<masking parameter>/);
    expect(config.model.L).toBe(3);
  });

  it('an unknown strategy is ignored, and its parameters are then checked against the preset strategy', () => {
    const { config, problems } = decodeSetup('#mask=bogus&m.rate=0.3&m.p=0.5&seed=9');
    expect(problems[0]).toMatch(/^mask=bogus ignored: Unknown masking strategy "bogus"\. Strategies: random, whole-word, span/);
    expect(problems[1]).toMatch(/^m\.p=0\.5 ignored: "p" is not a parameter of random/);
    expect(problems).toHaveLength(2);
    expect(config.masking).toEqual({ strategy: 'random', params: { rate: 0.3 } });
    expect(config.train.seed).toBe(9);
  });

  it('out-of-range values are ignored with the allowed range, the rest applies', () => {
    const { config, problems } = decodeSetup('#L=99&m.rate=0.95&e.temperature=50&T=32');
    expect(problems).toEqual([
      'L=99 ignored: model.L must be a whole number from 1 to 24 (got 99).',
      'm.rate=0.95 ignored: random: rate must be a number from 0.05 to 0.8 (got 0.95).',
      'e.temperature=50 ignored: electra.temperature must be a number from 0.05 to 10 (got 50).',
    ]);
    expect(config).toEqual(changed('bert-micro', (c) => (c.model.T = 32)));
  });

  it('cross-field problems drop the key that caused them', () => {
    // The problem is reported on model.NH, but the link only set C: C is dropped.
    const a = decodeSetup('#C=33');
    expect(a.problems).toEqual(['C=33 ignored: model.C (33) must be divisible by model.NH (2): each head gets C/NH channels.']);
    expect(a.config.model.C).toBe(32);
    const b = decodeSetup('#C=48&NH=5');
    expect(b.problems[0]).toMatch(/^NH=5 ignored/);
    expect(b.config.model).toMatchObject({ C: 48, NH: 2 });
    const e = decodeSetup('#objective=electra&m.randomProb=0.3');
    expect(e.problems[0]).toMatch(/^m\.randomProb=0\.3 ignored: random: maskProb \+ randomProb must be at most 1/);
    expect(e.config.objective).toBe('electra');
  });

  it('an unknown preset falls back to bert-micro and says which presets exist', () => {
    const { config, problems } = decodeSetup('#preset=bert-huge&steps=10');
    expect(problems).toEqual(['preset=bert-huge is not a preset; used bert-micro. Presets: bert-micro, bert-tiny, electra-micro, electra-tiny.']);
    expect(config.train.steps).toBe(10);
  });

  it('a repeated key uses the last value; a broken %-escape is ignored', () => {
    const { config, problems } = decodeSetup('#steps=5&steps=6&probe=%E0%A4%A&seed=3');
    expect(problems).toEqual(['steps is given twice; used the last value, "6".', '"probe=%E0%A4%A" has a broken %-escape and was ignored: write values with encodeURIComponent.']);
    expect(config.train).toMatchObject({ steps: 6, seed: 3 });
  });

  it('bad booleans and enums name what is allowed', () => {
    const { config, problems } = decodeSetup('#e.tiedEmbeddings=maybe&decay=step&presenter=yes&data=synthetic');
    expect([...problems].sort()).toEqual([
      'decay=step ignored: train.decay must be one of linear, cosine, constant (got "step").',
      'e.tiedEmbeddings=maybe ignored: electra.tiedEmbeddings must be true or false (got maybe).',
      'presenter=yes ignored: use presenter=1 or presenter=0.',
    ]);
    expect(config.data.source).toBe('synthetic-successor');
  });
});
