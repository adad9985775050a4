import { describe, expect, it } from 'vitest';
import { parseNodeBenchArgs } from './node-bench-args.ts';

describe('parseNodeBenchArgs', () => {
  it('has defaults for a plain run', () => {
    expect(parseNodeBenchArgs([])).toEqual({ presets: ['bert-micro', 'bert-tiny'], steps: null, warmup: null, peers: false, kernels: true, reps: 20, blockMs: 1000, out: null, dawn: [], help: false });
  });

  it('reads every flag', () => {
    const a = parseNodeBenchArgs(['--presets', 'bert-tiny', '--peers', '--reps', '5', '--block-ms', '50', '--no-kernels', '--out', 'r.json', '--dawn', 'backend=vulkan', '--dawn', 'adapter=X']);
    expect(a).toMatchObject({ presets: ['bert-tiny'], peers: true, kernels: false, reps: 5, blockMs: 50, out: 'r.json', dawn: ['backend=vulkan', 'adapter=X'] });
    expect(parseNodeBenchArgs(['--steps', '7', '--warmup', '0'])).toMatchObject({ steps: 7, warmup: 0 });
  });

  it('says what was wrong', () => {
    expect(() => parseNodeBenchArgs(['--presets', 'bert-huge'])).toThrow(/Unknown preset bert-huge: choose from bert-micro/);
    expect(() => parseNodeBenchArgs(['--steps', '0'])).toThrow('--steps needs an integer ≥ 1, got "0".');
    expect(() => parseNodeBenchArgs(['--steps'])).toThrow('--steps needs an integer ≥ 1, got nothing.');
    expect(() => parseNodeBenchArgs(['--reps', '2', '--peers'])).toThrow('--reps needs an integer ≥ 3');
    expect(() => parseNodeBenchArgs(['--bogus'])).toThrow(/Unknown flag "--bogus"/);
    expect(() => parseNodeBenchArgs(['--reps', '5'])).toThrow('--reps, --block-ms and --no-kernels go with --peers.');
    expect(() => parseNodeBenchArgs(['--out'])).toThrow('--out needs a file name.');
  });
});
