// The kernel families the tuner knows (issue [M]): each turns a key a launcher noted
// (ctx.choices) into a tuning problem, or says the key is not its own. A new family (a kernel
// with variants) is one line here plus its *-tune.ts.
import type { TuneProblem } from '../../gpu/autotune.ts';
import type { OpContext } from '../../gpu/op-context.ts';
import { attentionTuneProblem } from './attention-tune.ts';
import { crossEntropyTuneProblem } from './crossentropy-tune.ts';
import { gradNormTuneProblem } from './gradnorm-tune.ts';
import { layernormTuneProblem } from './layernorm-tune.ts';
import { matmulTuneProblem } from './matmul-tune.ts';

export interface TuneFamily {
  name: string;
  /** The problem for `key`, or null when the key belongs to another family. */
  problem(ctx: OpContext, key: string): Promise<TuneProblem | null>;
}

export const TUNE_FAMILIES: readonly TuneFamily[] = [
  { name: 'matmul', problem: matmulTuneProblem },
  { name: 'attention', problem: attentionTuneProblem },
  { name: 'layernorm', problem: layernormTuneProblem },
  { name: 'crossentropy', problem: crossEntropyTuneProblem },
  { name: 'gradnorm', problem: gradNormTuneProblem },
];

/** The problems for `keys`, in order; keys no family claims are skipped. */
export async function tuneProblems(ctx: OpContext, keys: readonly string[]): Promise<TuneProblem[]> {
  const out: TuneProblem[] = [];
  for (const key of keys) {
    for (const f of TUNE_FAMILIES) {
      const p = await f.problem(ctx, key);
      if (p) {
        out.push(p);
        break;
      }
    }
  }
  return out;
}
