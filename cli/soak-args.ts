// Flags of `npm run soak` (cli/soak.ts), kept pure so they are unit-tested like cli/args.ts.
import { PRESETS } from '../src/model/config.ts';
import { oneOf, parseFlags, UsageError, type OptionSpec } from './args.ts';

export const SOAK_USAGE = `Usage: npm run soak -- [flags]

Trains with every view open for --minutes (a run that ends starts again) and samples the JS heaps
(page and engine worker), live GPU buffers and bytes, DOM nodes and ms/step every --sample-seconds;
prints the samples and each series' slope per minute. Exits 1 when the live GPU buffers grow.

  --minutes N          how long to train (default 30)
  --sample-seconds S   seconds between samples (default 60, less for runs under 8 minutes: 8 samples)
  --preset ID          preset to train (default bert-micro; electra-micro adds the objective's view)
  --steps N            steps per run before it starts again (default 150)
  --out FILE           also write the samples, slopes and verdict as JSON
  --no-build           serve dist/ as it is (default: rebuild it when sources changed)

MASKLAB_GPU=hardware uses the machine's GPU instead of SwiftShader.`;

const OPTIONS = {
  minutes: { type: 'string' },
  'sample-seconds': { type: 'string' },
  preset: { type: 'string' },
  steps: { type: 'string' },
  out: { type: 'string' },
  'no-build': { type: 'boolean' },
  help: { type: 'boolean' },
} as const satisfies OptionSpec;

export interface SoakArgs {
  minutes: number;
  sampleSeconds: number;
  preset: string;
  steps: number;
  out: string | null;
  build: boolean;
  help: boolean;
}

function positive(flag: string, value: string | undefined, fallback: number, integer: boolean): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
    throw new UsageError(`--${flag} ${value} must be a ${integer ? 'whole ' : ''}number above 0.`);
  }
  return n;
}

export function parseSoakArgs(argv: string[]): SoakArgs {
  const v = parseFlags(argv, OPTIONS, SOAK_USAGE);
  const minutes = positive('minutes', v.minutes, 30, false);
  const a: SoakArgs = {
    minutes,
    sampleSeconds: positive('sample-seconds', v['sample-seconds'], Math.min(60, (minutes * 60) / 8), false),
    preset: oneOf('preset', v.preset, PRESETS.map((p) => p.id), 'bert-micro'),
    steps: positive('steps', v.steps, 150, true),
    out: v.out ?? null,
    build: !v['no-build'],
    help: Boolean(v.help),
  };
  // The verdict compares the least of two halves of the samples after the warm-up one: two each at least.
  if (a.minutes * 60 < 4 * a.sampleSeconds) throw new UsageError(`--minutes ${a.minutes} gives fewer than 5 samples ${a.sampleSeconds} s apart: train longer or pass a smaller --sample-seconds.`);
  return a;
}
