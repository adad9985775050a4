// The CLI's objective flags, generated from the objective registry: each number parameter is a
// `--flag X`, each on/off parameter one or two switches. Usage lines, parsing, contradictions and
// "that is another objective's flag" come from the same data, so a new objective needs no edit here.
import { OBJECTIVE_IDS, OBJECTIVES } from '../src/objectives/registry.ts';
import type { ObjectiveSpec } from '../src/objectives/types.ts';
import type { OptionSpec } from './args.ts';

interface Flag {
  objective: ObjectiveSpec;
  key: string;
  name: string;
  /** Number flags take a value; switches set the parameter to `sets`. */
  sets?: boolean;
  usage: string;
}

/** A usage line: the flag, then its help from column 20. */
const line = (flag: string, help: string) => (flag.length >= 18 ? `${flag}  ` : flag.padEnd(18)) + help;

const FLAGS: readonly Flag[] = OBJECTIVES.flatMap((o) =>
  o.params.flatMap((p): Flag[] => {
    if (p.kind === 'number') return [{ objective: o, key: p.key, name: p.flag, usage: line(`--${p.flag} X`, `${o.tag}: ${p.help.replace(/\.$/, '')} (${p.min}..${p.max}, default ${p.default})`) }];
    const sw = (name: string | undefined, sets: boolean, help: string | undefined): Flag[] => (name ? [{ objective: o, key: p.key, name, sets, usage: line(`--${name}`, `${o.tag}: ${help ?? p.help}`) }] : []);
    return [...sw(p.on, true, p.onHelp), ...sw(p.off, false, p.offHelp)];
  }),
);

export const OBJECTIVE_OPTIONS: OptionSpec = Object.fromEntries(FLAGS.map((f) => [f.name, { type: f.sets === undefined ? 'string' : 'boolean' }]));

export const OBJECTIVE_USAGE = [`  --objective KIND  ${OBJECTIVE_IDS.join(' | ')} (default: the preset's)`, ...FLAGS.map((f) => `  ${f.usage}`)].join('\n');

/**
 * Applies the objective flags in `values` to `config` (its objective already chosen); throws a
 * message for a number that is not one, two switches that contradict, or another objective's flag.
 */
export function applyObjectiveFlags(config: { objective: string }, values: Record<string, unknown>, fail: (message: string) => never): void {
  const given = FLAGS.filter((f) => values[f.name] !== undefined && values[f.name] !== false);
  const stray = given.find((f) => f.objective.id !== config.objective);
  if (stray) fail(`--${stray.name} is an ${stray.objective.tag} option: add --objective ${stray.objective.id} or use an ${stray.objective.id} preset.`);
  const blocks = config as unknown as Record<string, Record<string, number | boolean>>;
  for (const f of given) {
    const other = given.find((g) => g !== f && g.key === f.key && g.objective === f.objective);
    if (other) fail(`--${f.name} and --${other.name} contradict each other: give one.`);
    const raw = values[f.name];
    let v: number | boolean;
    if (f.sets !== undefined) v = f.sets;
    else {
      v = Number(raw);
      if (String(raw).trim() === '' || !Number.isFinite(v)) fail(`--${f.name} ${String(raw)} is not a number.`);
    }
    blocks[f.objective.id] = { ...(blocks[f.objective.id] ?? {}), [f.key]: v };
  }
}
