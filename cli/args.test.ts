import { describe, expect, it } from 'vitest';
import { parseBenchArgs, parseTrainArgs, UsageError } from './args.ts';

describe('train CLI flags', () => {
  it('builds the run config from a preset and flags', () => {
    const a = parseTrainArgs(['--preset', 'bert-micro', '--steps', '50', '--seed', '7', '--data', 'brown', '--lr', '1e-3', '--batch', '4', '--out', 'x.json', '--gpu', 'hardware', '--no-build']);
    expect(a.config.preset).toBe('bert-micro');
    expect(a.config.train).toMatchObject({ steps: 50, seed: 7, lr: 1e-3, batch: 4, logEvery: 1 });
    expect(a.config.data.source).toBe('brown');
    expect(a).toMatchObject({ out: 'x.json', gpu: 'hardware', build: false, adapterOnly: false });
    expect(parseTrainArgs(['--adapter']).adapterOnly).toBe(true);
    expect(parseTrainArgs(['--data', 'synthetic']).config.data.source).toBe('synthetic-successor');
    expect(parseTrainArgs([]).config.preset).toBe('bert-micro');
  });

  it('takes kernel tuning: mode and budget, checked', () => {
    expect(parseTrainArgs([])).toMatchObject({ autotune: 'auto', autotuneBudgetMs: undefined });
    expect(parseTrainArgs(['--autotune', 'on', '--autotune-budget', '90'])).toMatchObject({ autotune: 'on', autotuneBudgetMs: 90_000 });
    expect(() => parseTrainArgs(['--autotune', 'yes'])).toThrow(/--autotune yes is not one of: auto, on, off/);
    expect(() => parseTrainArgs(['--autotune-budget', '0'])).toThrow(/must be a positive number of seconds/);
    expect(() => parseTrainArgs(['--autotune-budget', 'lots'])).toThrow(/is not a number/);
  });

  it('takes a masking strategy, its rate and parameters, and rejects bad ones by name', () => {
    const a = parseTrainArgs(['--mask', 'span', '--mask-rate', '0.3', '--mask-param', 'p=0.3', '--mask-param', 'schedule=cosine']);
    expect(a.config.masking).toEqual({ strategy: 'span', params: { p: '0.3', schedule: 'cosine', rate: '0.3' } });
    expect(() => parseTrainArgs(['--mask-rate', '1.5'])).toThrow(/rate must be a number from 0.05 to 0.8 \(got "1.5"\)/);
    expect(() => parseTrainArgs(['--mask', 'telepathy'])).toThrow(/Unknown masking strategy "telepathy"/);
    expect(() => parseTrainArgs(['--mask', 'span', '--mask-param', 'q=1'])).toThrow(/"q" is not a parameter of span/);
    expect(() => parseTrainArgs(['--mask-param', 'p'])).toThrow(/must look like key=value/);
    expect(parseTrainArgs(['--list-masks', '--mask', 'whatever']).listMasks).toBe(true);
  });

  it('takes the probe tasks, schedule and budget, and rejects unknown tasks by name', () => {
    expect(parseTrainArgs([]).config.probe).toEqual({ tasks: ['pos', 'genre'], every: 0, budget: 0.1 });
    expect(parseTrainArgs(['--probe', 'genre', '--probe-every', '50', '--probe-budget', '1']).config.probe).toEqual({ tasks: ['genre'], every: 50, budget: 1 });
    expect(parseTrainArgs(['--probe', 'none']).config.probe!.tasks).toEqual([]);
    expect(() => parseTrainArgs(['--probe', 'pos,ner'])).toThrow(/--probe ner is not one of: pos, genre/);
    expect(() => parseTrainArgs(['--probe-budget', '2'])).toThrow(/probe.budget must be a share of the run's time from 0 to 1 \(got 2\)/);
    expect(() => parseTrainArgs(['--probe-every', '2.5'])).toThrow(/probe.every must be a whole number/);
  });

  it('keeps a short run able to reach its learning rate', () => {
    expect(parseTrainArgs(['--steps', '10']).config.train.warmupSteps).toBe(1);
  });

  it('refuses unknown flags and bad values with a message that names them', () => {
    expect(() => parseTrainArgs(['--nope'])).toThrow(UsageError);
    expect(() => parseTrainArgs(['--nope'])).toThrow(/--nope/);
    expect(() => parseTrainArgs(['--gpu', 'cuda'])).toThrow(/--gpu cuda is not one of: swiftshader, hardware/);
    expect(() => parseTrainArgs(['--preset', 'bert-huge'])).toThrow(/--preset bert-huge is not one of: bert-micro, bert-tiny, electra-micro, electra-tiny/);
    expect(() => parseTrainArgs(['--steps', 'ten'])).toThrow(/--steps ten is not a number/);
    expect(() => parseTrainArgs(['--lr', '5'])).toThrow(/train.lr must be a number from 1e-7 to 1/);
    expect(() => parseTrainArgs(['--decay', 'step'])).toThrow(/--decay step is not one of: linear, cosine, constant/);
    expect(parseTrainArgs(['--decay', 'cosine']).config.train.decay).toBe('cosine');
    expect(() => parseTrainArgs(['--data', 'wiki'])).toThrow(/--data wiki is not one of/);
    expect(() => parseTrainArgs(['--out', ''])).toThrow(/--out needs a file name/);
  });

  it('takes the ELECTRA objective and its options, and the model shape', () => {
    const a = parseTrainArgs(['--objective', 'electra', '--disc-weight', '10', '--gen-fraction', '0.5', '--temperature', '0.7', '--untied-embeddings', '--disallow-correct', '--electra-15', '--hidden', '64', '--heads', '4', '--ffn', '128', '--layers', '3']);
    expect(a.config.objective).toBe('electra');
    expect(a.config.electra).toEqual({ discWeight: 10, genFraction: 0.5, temperature: 0.7, tiedEmbeddings: false, uniformGenerator: false, disallowCorrect: true, maskedOnly: true });
    expect(a.config.model).toMatchObject({ L: 3, C: 64, NH: 4, FFN: 128 });
    expect(parseTrainArgs(['--preset', 'electra-micro']).config.objective).toBe('electra');
    expect(parseTrainArgs(['--preset', 'electra-micro', '--allow-correct']).config.electra.disallowCorrect).toBe(false);
    expect(() => parseTrainArgs(['--preset', 'electra-micro', '--allow-correct', '--disallow-correct'])).toThrow(/contradict/);
    expect(() => parseTrainArgs(['--objective', 'gan'])).toThrow(/--objective gan is not one of: mlm, electra/);
    expect(() => parseTrainArgs(['--preset', 'electra-micro', '--temperature', '0'])).toThrow(/electra.temperature must be a number from 0.05 to 10 \(got 0\)/);
    expect(() => parseTrainArgs(['--uniform-generator'])).toThrow(/--uniform-generator is an ELECTRA option: add --objective electra/);
    expect(() => parseTrainArgs(['--hidden', '30', '--heads', '4'])).toThrow(/model.C \(30\) must be divisible by model.NH \(4\)/);
  });
});

describe('bench CLI flags', () => {
  it('--autotune-budget goes with --peers and is in seconds', () => {
    expect(parseBenchArgs(['--peers']).peers!.autotuneMs).toBeNull();
    expect(parseBenchArgs(['--peers', '--autotune-budget', '120']).peers!.autotuneMs).toBe(120_000);
    expect(() => parseBenchArgs(['--autotune-budget', '120'])).toThrow(/go with --peers/);
    expect(() => parseBenchArgs(['--peers', '--autotune-budget', '0'])).toThrow(/whole number ≥ 1/);
  });
});
