// The flags of `npm run bench:node` (src/bench/node-bench.ts), parsed apart from the entry so they
// can be tested without starting it.
import { PRESETS } from '../model/config.ts';

export const NODE_BENCH_USAGE = `npm run bench:node -- [flags]   (Node + Dawn; no browser)
  --presets a,b     presets to time (default bert-micro,bert-tiny)
  --steps N         timed training steps (default 20; 3 for bigger presets on a CPU adapter)
  --warmup N        warm-up steps (default 3; 1 for bigger presets on a CPU adapter)
  --peers           the peer cases instead: training step and kernels vs TensorFlow.js (webgpu)
  --reps N          --peers: timed blocks per runtime (default 20)
  --block-ms MS     --peers: target duration of one block (default 1000)
  --no-kernels      --peers: the training step only
  --out FILE        write the results as JSON
  --dawn FLAG       a Dawn toggle for create(), repeatable (e.g. backend=vulkan, adapter=NAME)`;

export interface NodeBenchArgs {
  presets: string[];
  steps: number | null;
  warmup: number | null;
  peers: boolean;
  kernels: boolean;
  reps: number;
  blockMs: number;
  out: string | null;
  dawn: string[];
  help: boolean;
}

/** Numeric flags: the field each sets and its least value. */
const NUMERIC: Record<string, ['steps' | 'warmup' | 'reps' | 'blockMs', number]> = {
  '--steps': ['steps', 1],
  '--warmup': ['warmup', 0],
  '--reps': ['reps', 3],
  '--block-ms': ['blockMs', 1],
};

/** Parses the flags above; throws an Error whose message says what was wrong. */
export function parseNodeBenchArgs(argv: readonly string[]): NodeBenchArgs {
  const a: NodeBenchArgs = { presets: ['bert-micro', 'bert-tiny'], steps: null, warmup: null, peers: false, kernels: true, reps: 20, blockMs: 1000, out: null, dawn: [], help: false };
  const count = (flag: string, v: string | undefined, min: number) => {
    const n = Number(v);
    if (v === undefined || !Number.isInteger(n) || n < min) throw new Error(`${flag} needs an integer ≥ ${min}, got ${v === undefined ? 'nothing' : `"${v}"`}.`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const f = argv[i];
    const v = argv[i + 1];
    if (f === '--help' || f === '-h') a.help = true;
    else if (f === '--peers') a.peers = true;
    else if (f === '--no-kernels') a.kernels = false;
    else if (f === '--presets') {
      if (!v) throw new Error('--presets needs a comma-separated list.');
      a.presets = v.split(',').filter(Boolean);
      const ids = PRESETS.map((p) => p.id);
      const bad = a.presets.filter((p) => !ids.includes(p));
      if (bad.length) throw new Error(`Unknown preset ${bad.join(', ')}: choose from ${ids.join(', ')}.`);
      i++;
    } else if (f in NUMERIC) {
      const [field, min] = NUMERIC[f]!;
      a[field] = count(f, v, min);
      i++;
    } else if (f === '--out') {
      if (!v) throw new Error('--out needs a file name.');
      a.out = v;
      i++;
    } else if (f === '--dawn') {
      if (!v) throw new Error('--dawn needs a toggle, e.g. backend=vulkan.');
      a.dawn.push(v);
      i++;
    } else throw new Error(`Unknown flag "${f}".\n${NODE_BENCH_USAGE}`);
  }
  if (!a.peers && (!a.kernels || argv.includes('--reps') || argv.includes('--block-ms'))) throw new Error('--reps, --block-ms and --no-kernels go with --peers.');
  return a;
}
