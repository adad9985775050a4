// Flag parsing for the CLIs, kept pure so it is unit-tested: bad flags give a message that says
// what was wrong and what is accepted, never a stack trace.
import { parseArgs, type ParseArgsConfig } from 'node:util';

export class UsageError extends Error {}

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

/** util.parseArgs with strict checking, errors rephrased for people. */
export function parseFlags<O extends OptionSpec>(argv: string[], options: O, usage: string) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values;
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    throw new UsageError(`${msg.replace(/\. To specify.*$/s, '.')}\n\n${usage}`);
  }
}

export function oneOf<T extends string>(flag: string, value: string | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`--${flag} ${value} is not one of: ${allowed.join(', ')}.`);
}

export const TRAIN_USAGE = `Usage: npm run train -- [flags]

Runs the masklab engine in headless Chromium (WebGPU) on a page of the built app.

  --out FILE        write the run as JSON (adapter info, and more as the engine grows)
  --gpu MODE        swiftshader (default; works without a GPU) or hardware; env MASKLAB_GPU
  --no-build        use dist/ as it is instead of rebuilding it when sources changed
  --help            this text`;

export const TRAIN_OPTIONS = {
  out: { type: 'string' },
  gpu: { type: 'string' },
  'no-build': { type: 'boolean' },
  help: { type: 'boolean' },
} as const satisfies OptionSpec;

export interface TrainArgs {
  out: string | null;
  gpu: 'swiftshader' | 'hardware' | null;
  build: boolean;
  help: boolean;
}

export function parseTrainArgs(argv: string[]): TrainArgs {
  const v = parseFlags(argv, TRAIN_OPTIONS, TRAIN_USAGE);
  if (v.out !== undefined && v.out.trim() === '') throw new UsageError('--out needs a file name, e.g. --out run.json');
  return {
    out: v.out ?? null,
    gpu: v.gpu === undefined ? null : oneOf('gpu', v.gpu, ['swiftshader', 'hardware'] as const, 'swiftshader'),
    build: !v['no-build'],
    help: Boolean(v.help),
  };
}
