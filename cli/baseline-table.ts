// `npm run baseline:table -- DIR`: a README table of runs against their objective's own baselines
// (issue [J]: position prediction against guesses from a table), from the CLI's JSON files in DIR
// (any objective whose runtime reports `baselines`; bench/position/run.sh makes them). One row per
// file: data, sequence length, the objective's parameters, steps, seed, and per metric the final
// held-out value beside each baseline's, marked ✓ where the run beats it. Nothing here knows an
// objective: the metric names and parameters come from the files, their direction from the spec.
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beatsBaseline } from '../src/objectives/metrics.ts';

export interface BaselineRunFile {
  config: { objective: string; model: { T: number }; train: { steps: number; seed: number }; data: { source: string; tokenizer: string } } & Record<string, unknown>;
  run: { baselines?: { metric: string; short?: string; label: string; value: number }[] };
  evals: ({ step: number; accuracy: number } & Record<string, unknown>)[];
}

const f3 = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : '—');

function finalValue(f: BaselineRunFile, metric: string): number {
  const last = f.evals.at(-1);
  if (!last) return NaN;
  if (metric === 'accuracy') return last.accuracy;
  const own = last[f.config.objective] as Record<string, number> | undefined;
  return own?.[metric] ?? NaN;
}

export function baselineTable(files: readonly BaselineRunFile[]): string {
  const all = files.flatMap((f) => f.run.baselines ?? []);
  if (!all.length) throw new Error('No run in these files reports baselines (run.baselines): is this a directory of position runs?');
  const name = (b: { short?: string; label: string }) => b.short ?? b.label;
  const metrics = [...new Set(all.map((b) => b.metric))];
  const columns = metrics.map((m) => ({ metric: m, baselines: [...new Set(all.filter((b) => b.metric === m).map(name))] }));
  const head = ['data', 'T', 'parameters', 'steps', 'seed', ...columns.flatMap((c) => [`held-out ${c.metric}`, ...c.baselines.map((b) => `${c.metric}: ${b}`)])];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  for (const f of files) {
    const params = f.config[f.config.objective] as Record<string, unknown> | undefined;
    const data = f.config.data.source === 'brown' ? `brown (${f.config.data.tokenizer})` : f.config.data.source;
    const cells = columns.flatMap(({ metric, baselines }) => {
      const v = finalValue(f, metric);
      const mine = baselines.map((n) => f.run.baselines?.find((b) => b.metric === metric && name(b) === n));
      return [f3(v), ...mine.map((b) => (b ? `${f3(b.value)}${beatsBaseline(f.config.objective, metric, v, b.value) ? ' ✓' : ''}` : '—'))];
    });
    const p = params ? Object.entries(params).map(([k, v]) => `${k}=${v}`).join(' ') : '';
    lines.push(`| ${[data, f.config.model.T, p, f.evals.at(-1)?.step ?? 0, f.config.train.seed, ...cells].join(' | ')} |`);
  }
  const labels = [...new Map(all.map((b) => [name(b), b.label.replace(/first \d+ /, 'first ')])).entries()];
  lines.push('', `Baselines: ${labels.map(([n, l]) => `*${n}*: ${l}`).join('; ')}. ✓: the run beats that baseline (higher accuracy; lower error).`);
  return lines.join('\n');
}

function main(dir: string | undefined): number {
  if (!dir) {
    console.error('usage: npm run baseline:table -- DIR   (a directory of the CLI\'s --out JSON files)');
    return 2;
  }
  const names = readdirSync(dir).filter((n) => n.endsWith('.json')).sort();
  const files = names.map((n) => JSON.parse(readFileSync(join(dir, n), 'utf8')) as BaselineRunFile);
  console.log(baselineTable(files));
  return 0;
}

if (import.meta.url === pathToFileURL(resolve(process.argv[1] ?? '')).href) process.exit(main(process.argv[2]));
