// `npm run repro:table -- DIR`: the README's reproduction table (issue [H]) from the JSON files of
// the teaching experiments' CLI runs in DIR, named <variant>-s<seed>.json (bench/repro/run.sh
// makes them). Per variant: the final POS and genre probe (best layer, held-out documents; mean
// and range over seeds), the untrained model's POS probe, the fixed-mask held-out loss (against
// the unigram baseline: has the run left the plateau?) and accuracy, and the own-mask accuracy.
// Per finding: the paired difference (same seed: same init, batches and eval mask) in the
// direction the literature predicts, and a verdict that only says "reproduces" when every seed
// agrees, the mean difference clears the noise of a probe accuracy (noiseFloor) and every run of
// the pair has left the unigram plateau (PLATEAU_MARGIN below it): before that the probes compare
// how fast runs start learning, not what they learned. ELECTRA is
// compared with MLM at equal FLOPs: the discriminator's probe at the last probed step whose FLOPs
// do not exceed the MLM run's final FLOPs.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';

interface ProbeRecord {
  step: number;
  task: string;
  accuracy: number;
}
export interface RunFile {
  run: { flopsPerStep: number };
  unigramBaseline: number;
  /** ELECTRA runs: the discriminator's held-out loss and the share of tokens replaced. */
  evals: { step: number; loss: number; accuracy: number; electra?: { discLoss: number; replacedShare: number } }[];
  evalOwnMask: { loss: number; accuracy: number; unigram?: number }[];
  probes: { points: ProbeRecord[]; tasks: { id: string; heldOutExamples?: number; baselines: { majority: { accuracy: number } } }[] } | { unavailable: string };
}

export interface Finding {
  id: string;
  title: string;
  /** Variant expected to score higher on the probe, and the one it beats. */
  better: string;
  worse: string;
  /** Compare at the MLM run's final FLOPs (ELECTRA) instead of at the final step. */
  equalFlops?: boolean;
  /** The finding claims "at least as good": no clear difference agrees with it too. */
  atLeast?: boolean;
}

export const FINDINGS: Finding[] = [
  { id: 'rate', title: '40% beats 15%', better: 'random40', worse: 'random15' },
  { id: 'corruption', title: '80/10/10 is unnecessary (all-[MASK] at least as good)', better: 'allmask', worse: 'random15', atLeast: true },
  { id: 'units', title: 'whole-word masking transfers better than random', better: 'wholeword', worse: 'random15' },
  { id: 'units', title: 'span masking transfers better than random', better: 'span', worse: 'random15' },
  { id: 'electra', title: 'ELECTRA learns more per FLOP', better: 'electra', worse: 'random15', equalFlops: true },
  { id: 'attention', title: 'attention-guided masking learns better representations', better: 'attention', worse: 'random15' },
];

/** Best layer's accuracy of `task` at the probe point `step` (the last one when step is undefined). */
export function probeAt(f: RunFile, task: string, step?: number): { step: number; accuracy: number } | null {
  if ('unavailable' in f.probes) return null;
  const pts = f.probes.points.filter((p) => p.task === task);
  const s = step ?? Math.max(...pts.map((p) => p.step));
  const at = pts.filter((p) => p.step === s);
  return at.length ? { step: s, accuracy: Math.max(...at.map((p) => p.accuracy)) } : null;
}

/** The probe of `f` at the last probed step whose FLOPs are ≤ `flops`. */
export function probeAtFlops(f: RunFile, task: string, flops: number): { step: number; accuracy: number } | null {
  if ('unavailable' in f.probes) return null;
  const steps = [...new Set(f.probes.points.filter((p) => p.task === task).map((p) => p.step))].filter((s) => s * f.run.flopsPerStep <= flops * (1 + 1e-9));
  return steps.length ? probeAt(f, task, Math.max(...steps)) : null;
}

/**
 * How far below the unigram baseline a run's final loss must be to count as past the plateau:
 * about the noise of the 256-token eval of the reproduction runs (a standard error of roughly
 * 0.15 nats).
 */
export const PLATEAU_MARGIN = 0.2;

/**
 * Whether the run's last eval is clearly below the unigram baseline, on the fixed uniform mask or
 * on its own strategy's tokens (all [MASK], against the unigram baseline of those tokens; runs
 * written before that baseline existed have only the first). The own mask is the task the model
 * learned: a whole-word model has never seen a lone masked piece inside a visible word, so the
 * uniform mask can put it above the plateau long after it has learned its own task.
 */
export function pastPlateau(f: RunFile, step?: number): boolean {
  // evals and evalOwnMask come from the same eval events: one index per eval.
  const i = step === undefined ? f.evals.length - 1 : f.evals.findIndex((e) => e.step === step);
  const fixed = f.evals[i];
  const own = f.evalOwnMask[i];
  if (fixed?.electra) return discPastPlateau(fixed.electra);
  const below = (loss: number | undefined, base: number | undefined) => loss !== undefined && base !== undefined && loss <= base - PLATEAU_MARGIN;
  return below(fixed?.loss, f.unigramBaseline) || below(own?.loss, own?.unigram);
}

/**
 * ELECTRA keeps its discriminator, so that is the model whose plateau counts (its generator's
 * loss is the fixed-mask loss of the table, and can sit on the unigram plateau while the
 * discriminator has learned): its plateau is answering "original" everywhere, which costs the
 * entropy of the replaced share (0.43 nats at 15%). Past it: a held-out loss at least
 * 1 − DISC_PLATEAU_RATIO below that, 0.04 nats at 15%, about seven standard errors of the
 * 8-batch eval of the reproduction runs.
 */
export const DISC_PLATEAU_RATIO = 0.9;

const binaryEntropy = (p: number) => (p <= 0 || p >= 1 ? 0 : -(p * Math.log(p) + (1 - p) * Math.log(1 - p)));

export function discPastPlateau(d: { discLoss: number; replacedShare: number }): boolean {
  return d.discLoss <= DISC_PLATEAU_RATIO * binaryEntropy(d.replacedShare);
}

/**
 * The smallest mean difference that counts as a direction: twice the standard error of the mean
 * over `k` seeds of a probe accuracy near `p` on `n` held-out words, sqrt(p(1−p)/n)/sqrt(k)
 * (binomial sampling of the held-out words, seeds taken as independent; conservative, since the
 * pairs share their held-out words). 0 when the files do not say how many words were scored.
 */
export function noiseFloor(p: number, n: number | undefined, k: number): number {
  return n ? (2 * Math.sqrt((p * (1 - p)) / n)) / Math.sqrt(k) : 0;
}

const heldOut = (f: RunFile, task: string) => ('unavailable' in f.probes ? undefined : f.probes.tasks.find((t) => t.id === task)?.heldOutExamples);

/** How a direction reads while the runs are still on the plateau. */
const SO_FAR = { reproduces: 'the same direction', opposite: 'the opposite direction', 'no clear difference': 'no clear direction' } as const;

/** The verdict once both sides are past the plateau; an "at least as good" finding allows a tie. */
const settled = (k: Finding, direction: keyof typeof SO_FAR) => (k.atLeast && direction === 'no clear difference' ? 'reproduces (no clear difference, which the finding allows)' : direction);

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const f3 = (x: number) => x.toFixed(3);
const spread = (xs: number[]) => (xs.length > 1 ? ` (${f3(Math.min(...xs))}–${f3(Math.max(...xs))})` : '');

/**
 * The last own-mask eval, from runs that report its unigram baseline: earlier runs scored their
 * own mask with its 80/10/10 corruption (kept tokens are copied), which is not the same measure.
 */
const own = (f: RunFile) => {
  const e = f.evalOwnMask.at(-1);
  return e && e.unigram !== undefined ? e : undefined;
};
const ownUnigram = (fs: RunFile[]) => {
  const xs = fs.flatMap((f) => (own(f) ? [own(f)!.unigram!] : []));
  return xs.length ? `; unigram ${f3(mean(xs))}` : '';
};

/** Markdown: the per-variant table, then the findings with their paired differences and verdicts. */
export function reproTable(runs: Map<string, Map<number, RunFile>>): string {
  const lines = ['| variant | seeds | POS probe | genre probe | POS probe, untrained | fixed-mask loss | fixed-mask acc | own-mask loss; its unigram | own-mask acc |', '|---|---|---|---|---|---|---|---|---|'];
  for (const [variant, bySeed] of runs) {
    const fs = [...bySeed.values()];
    const col = (get: (f: RunFile) => number | null | undefined) => {
      const xs = fs.map(get).filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
      return xs.length ? `${f3(mean(xs))}${spread(xs)}` : '–';
    };
    lines.push(`| ${variant} | ${[...bySeed.keys()].sort().join(', ')} | ${col((f) => probeAt(f, 'pos')?.accuracy)} | ${col((f) => probeAt(f, 'genre')?.accuracy)} | ${col((f) => probeAt(f, 'pos', 0)?.accuracy)} | ${col((f) => f.evals.at(-1)?.loss)} | ${col((f) => f.evals.at(-1)?.accuracy)} | ${col((f) => own(f)?.loss)}${ownUnigram(fs)} | ${col((f) => own(f)?.accuracy)} |`);
  }
  const unigram = [...new Set([...runs.values()].flatMap((m) => [...m.values()].map((f) => f3(f.unigramBaseline))))];
  lines.push('', `Unigram baseline of the fixed-mask loss (predicting every masked token from word frequencies alone): ${unigram.join(', ')}. A run is past the plateau when its final fixed-mask loss is at least ${PLATEAU_MARGIN} below it, or its own-mask loss (every token its strategy chose shown as [MASK]) is that far below the unigram baseline of those tokens; ELECTRA's discriminator (the model ELECTRA keeps) when its held-out loss is at least ${Math.round(100 * (1 - DISC_PLATEAU_RATIO))}% below what always answering "original" costs (the entropy of the replaced share), judged at the step compared.`);
  lines.push('', 'A finding reproduces when every seed points its way and the mean difference is larger than the noise: twice the standard error of the mean of a probe accuracy over the seeds (binomial sampling of the held-out words).');
  lines.push('', '| finding | compared (POS probe, paired by seed) | mean difference | verdict at this scale |', '|---|---|---|---|');
  for (const k of FINDINGS) {
    const a = runs.get(k.better);
    const b = runs.get(k.worse);
    const seeds = a && b ? [...a.keys()].filter((s) => b.has(s)).sort() : [];
    const pairs = seeds.flatMap((s) => {
      const base = probeAt(b!.get(s)!, 'pos');
      const flops = k.equalFlops ? (base?.step ?? 0) * b!.get(s)!.run.flopsPerStep : 0;
      const other = k.equalFlops ? probeAtFlops(a!.get(s)!, 'pos', flops) : probeAt(a!.get(s)!, 'pos');
      return base && other ? [{ seed: s, diff: other.accuracy - base.accuracy, step: other.step, base: base.accuracy }] : [];
    });
    const diffs = pairs.map((p) => p.diff);
    const at = k.equalFlops && pairs.length ? ` (${k.better} at step ${[...new Set(pairs.map((p) => p.step))].join('/')})` : '';
    // At equal FLOPs the better side is judged at the step compared, not at its end.
    const judgedAt = (v: string, s: number) => (k.equalFlops && v === k.better ? pairs.find((p) => p.seed === s)?.step : undefined);
    const early = [k.better, k.worse].filter((v) => seeds.some((s) => !pastPlateau(runs.get(v)!.get(s)!, judgedAt(v, s))));
    const floor = diffs.length ? noiseFloor(mean(pairs.map((p) => p.base)), heldOut(b!.get(seeds[0]!)!, 'pos'), diffs.length) : 0;
    const clear = diffs.length > 0 && Math.abs(mean(diffs)) >= floor;
    const direction = clear && diffs.every((d) => d > 0) ? 'reproduces' : clear && diffs.every((d) => d < 0) ? 'opposite' : 'no clear difference';
    const verdict =
      diffs.length < 3
        ? `not enough seeds (${diffs.length} of 3)`
        : early.length
          ? `too early to tell: ${early.join(' and ')} not past the unigram plateau (${SO_FAR[direction]} on every seed so far)`
          : settled(k, direction);
    const noise = floor > 0 ? `; noise ±${f3(floor)}` : '';
    lines.push(`| ${k.title} | ${k.better} vs ${k.worse}${k.equalFlops ? ` at equal FLOPs${at}` : ''}, seeds ${seeds.join(', ') || '–'} | ${diffs.length ? `${diffs.map((d) => (d >= 0 ? '+' : '') + f3(d)).join(', ')} (mean ${(mean(diffs) >= 0 ? '+' : '') + f3(mean(diffs))}${noise})` : '–'} | ${verdict} |`);
  }
  return lines.join('\n') + '\n';
}

/** Reads DIR/<variant>-s<seed>.json into variant → seed → run, variants in file order. */
export function readRuns(dir: string): Map<string, Map<number, RunFile>> {
  const runs = new Map<string, Map<number, RunFile>>();
  for (const name of readdirSync(dir).sort()) {
    const m = /^(.+)-s(\d+)\.json$/.exec(name);
    if (!m) continue;
    const f = JSON.parse(readFileSync(join(dir, name), 'utf8')) as RunFile;
    if (!runs.has(m[1]!)) runs.set(m[1]!, new Map());
    runs.get(m[1]!)!.set(Number(m[2]), f);
  }
  return runs;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const dir = process.argv[2];
  if (!dir) {
    console.error('usage: npm run repro:table -- DIR   (DIR holds <variant>-s<seed>.json from npm run train -- --out)');
    process.exit(2);
  }
  process.stdout.write(reproTable(readRuns(dir)));
}
