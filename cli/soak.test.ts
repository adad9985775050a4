import { describe, expect, it } from 'vitest';
import { UsageError } from './args.ts';
import { parseSoakArgs } from './soak-args.ts';
import { formatTable, gpuBufferVerdict, slope, type SoakSample } from './soak-stats.ts';

const sample = (minute: number, liveBuffers: number): SoakSample => ({
  minute,
  pageHeapMiB: 5 + minute / 10,
  workerHeapMiB: NaN,
  liveBuffers,
  liveMiB: liveBuffers / 4,
  domNodes: 2000,
  listeners: 285,
  msPerStep: 400,
  steps: 30,
  runs: 1 + Math.floor(minute),
});

describe('soak statistics', () => {
  it('slope is the least-squares fit per minute, skipping non-finite points', () => {
    expect(slope([0, 1, 2, 3], [1, 3, 5, 7])).toBeCloseTo(2);
    expect(slope([0, 1, 2], [4, NaN, 4])).toBe(0);
    expect(slope([0], [1])).toBeNaN();
  });

  it('flat buffers pass, whatever the warm-up sample was', () => {
    expect(gpuBufferVerdict([sample(0, 8), sample(1, 21), sample(2, 21), sample(3, 21)]).growing).toBe(false);
  });

  it('buffers that keep growing fail', () => {
    const leak = gpuBufferVerdict([sample(0, 21), sample(1, 21), sample(2, 27), sample(3, 33)]);
    expect(leak.growing).toBe(true);
    expect(leak.detail).toBe('live GPU buffers 21 27 33 in 3 samples after warm-up: least 21 in the earlier half, 33 in the later, slope 6.00/min: GROWING (leak)');
    // The deliberate leak of the check (a view ring never destroyed: +1 or +2 a run).
    expect(gpuBufferVerdict([21, 21, 22, 23, 24, 25, 27].map((n, i) => sample(i / 3, n))).growing).toBe(true);
  });

  it('one high sample (a readback spanning a whole burst) is no leak, even the last', () => {
    expect(gpuBufferVerdict([21, 21, 22, 21, 21, 21, 21].map((n, i) => sample(i / 3, n))).growing).toBe(false);
    expect(gpuBufferVerdict([21, 21, 21, 21, 21, 21, 22].map((n, i) => sample(i / 3, n))).growing).toBe(false);
    expect(gpuBufferVerdict([sample(0, 21), sample(1, 21), sample(2, 27), sample(3, 21)]).growing).toBe(false);
  });

  it('too few samples are no verdict, said so', () => {
    expect(gpuBufferVerdict([sample(0, 1), sample(1, 9)])).toMatchObject({ growing: false, detail: expect.stringMatching(/too few/) as string });
  });

  it('the table has a row per sample and a slope row; missing values print as –', () => {
    const lines = formatTable([sample(0, 21), sample(1, 21), sample(2, 21)]).split('\n');
    expect(lines).toHaveLength(5);
    expect(lines[0]).toMatch(/min +page heap MiB +worker heap MiB +GPU buffers/);
    expect(lines[1]).toContain('–');
    expect(lines[4]).toMatch(/^slope\/min +0\.1000 +– +0\.00 +0\.0000/);
  });
});

describe('soak flags', () => {
  it('defaults to a 30-minute bert-micro soak sampled every minute', () => {
    expect(parseSoakArgs([])).toEqual({ minutes: 30, sampleSeconds: 60, preset: 'bert-micro', steps: 150, out: null, build: true, help: false });
    expect(parseSoakArgs(['--minutes', '2', '--sample-seconds', '20', '--no-build'])).toMatchObject({ minutes: 2, sampleSeconds: 20, build: false });
    expect(parseSoakArgs(['--minutes', '2'])).toMatchObject({ minutes: 2, sampleSeconds: 15 }); // 8 samples after the first
  });

  it('refuses what it cannot run, saying why', () => {
    expect(() => parseSoakArgs(['--minutes', '0'])).toThrow(/--minutes 0 must be a number above 0/);
    expect(() => parseSoakArgs(['--steps', '1.5'])).toThrow(/whole number/);
    expect(() => parseSoakArgs(['--preset', 'nope'])).toThrow(UsageError);
    expect(() => parseSoakArgs(['--minutes', '3', '--sample-seconds', '60'])).toThrow(/fewer than 5 samples/);
  });
});
