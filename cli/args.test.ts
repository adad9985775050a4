import { describe, expect, it } from 'vitest';
import { parseTrainArgs, UsageError } from './args.ts';

describe('train CLI flags', () => {
  it('parses the flags it knows', () => {
    expect(parseTrainArgs(['--out', 'x.json', '--gpu', 'hardware', '--no-build'])).toEqual({
      out: 'x.json',
      gpu: 'hardware',
      build: false,
      help: false,
    });
    expect(parseTrainArgs([])).toEqual({ out: null, gpu: null, build: true, help: false });
  });

  it('refuses unknown flags and bad values with a message that names them', () => {
    expect(() => parseTrainArgs(['--nope'])).toThrow(UsageError);
    expect(() => parseTrainArgs(['--nope'])).toThrow(/--nope/);
    expect(() => parseTrainArgs(['--gpu', 'cuda'])).toThrow(/--gpu cuda is not one of: swiftshader, hardware/);
    expect(() => parseTrainArgs(['--out', ''])).toThrow(/--out needs a file name/);
    expect(() => parseTrainArgs(['--out'])).toThrow(/--out/);
  });
});
