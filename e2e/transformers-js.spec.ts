// The exported Hugging Face folder opens in transformers.js as written (Node, offline, local files
// only; needs only Node and the built app the CLI drives). Three short Brown runs are exported with
// `npm run train -- --save-dir`: a WordPiece BERT, a character BERT and an ELECTRA generator. For
// each, the README's "Use your model in a web page" block runs unmodified in a child `node` with
// the folder at ./models/my-model/, and this process opens the same folder and checks the
// tokenizer's ids for the probe sentence against probe.json (our tokenizer) and the model's top
// token at every [MASK] against the argmax of our engine's logits (probe.json).
import { env, pipeline, AutoModel, AutoTokenizer, type FillMaskPipeline } from '@huggingface/transformers';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expect, test } from './fixtures.ts';

// Under node_modules so that the snippet's bare import '@huggingface/transformers' resolves.
const ROOT = resolve('node_modules/.cache/masklab-tjs');
env.allowRemoteModels = false;

/** The code block between the README's snippet markers, exactly as a reader copies it. */
function readmeSnippet(): string {
  const readme = readFileSync('README.md', 'utf8');
  const m = /<!-- transformers-js-snippet:start -->\s*```js\n([\s\S]*?)```\s*<!-- transformers-js-snippet:end -->/.exec(readme);
  if (!m) throw new Error('README.md has no ```js block between <!-- transformers-js-snippet:start --> and <!-- transformers-js-snippet:end -->.');
  return m[1]!;
}

/** Preloaded with `node --import`: console.log writes each call's arguments as one JSON line to $MASKLAB_CAPTURE. */
const CAPTURE = `import { appendFileSync } from 'node:fs';
console.log = (...args) => appendFileSync(process.env.MASKLAB_CAPTURE, JSON.stringify(args) + '\\n');
`;

interface Probe {
  text: string;
  input_ids: number[];
  output: 'mlm-logits' | 'discriminator-logits';
  positions: number[];
  logits: number[][] | number[];
  generator?: { positions: number[]; logits: number[][] };
}

/** A float tie, not a mismatch: our top two logits closer than this may come out in either order elsewhere. */
const TIE = 1e-4;

function argmax(row: ArrayLike<number>): { best: number; runnerUp: number } {
  let best = 0;
  for (let v = 1; v < row.length; v++) if (row[v]! > row[best]!) best = v;
  let runnerUp = best === 0 ? 1 : 0;
  for (let v = 0; v < row.length; v++) if (v !== best && row[v]! > row[runnerUp]!) runnerUp = v;
  return { best, runnerUp };
}

/** Trains and exports one model into ROOT/name/run (the snippet's page goes to ROOT/name/page). */
function exportRun(name: string, args: string[]): string {
  const dir = join(ROOT, name);
  rmSync(dir, { recursive: true, force: true });
  // --probe none: no linear probes (they would take longer than the run); --eval-every 0: one eval, at the end, for the card.
  const stdout = execFileSync('npx', ['tsx', 'cli/train.ts', '--no-build', '--data', 'brown', '--steps', '12', '--eval-every', '0', '--probe', 'none', ...args, '--save-dir', join(dir, 'run')], { encoding: 'utf8', timeout: 210_000 });
  expect(stdout).toMatch(/export verified/);
  return join(dir, 'run');
}

/** Runs the README snippet in `node` with cwd = `page`, a folder holding models/my-model/ = `modelDir`; returns its console.log lines. */
function runSnippet(modelDir: string, page: string): unknown[][] {
  rmSync(page, { recursive: true, force: true });
  mkdirSync(join(page, 'models'), { recursive: true });
  cpSync(modelDir, join(page, 'models', 'my-model'), { recursive: true });
  writeFileSync(join(page, 'snippet.mjs'), readmeSnippet());
  writeFileSync(join(page, 'capture.mjs'), CAPTURE);
  const capture = join(page, 'console.jsonl');
  rmSync(capture, { force: true });
  execFileSync('node', ['--import', './capture.mjs', 'snippet.mjs'], { cwd: page, encoding: 'utf8', timeout: 60_000, env: { ...process.env, MASKLAB_CAPTURE: capture } });
  return readFileSync(capture, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as unknown[]);
}

/**
 * The checks every fill-mask export gets: the snippet's guesses are the pipeline's; the tokenizer
 * gives our ids for the probe; the model's logits match ours (≤ 1e-3) and its top token at every
 * [MASK] is our argmax; the pipeline's first guess is that top token.
 */
async function checkFillMask(modelDir: string, page: string, probe: Probe, ours: { positions: number[]; logits: number[][] }) {
  const fill = (await pipeline('fill-mask', modelDir, { local_files_only: true })) as FillMaskPipeline;

  const printed = runSnippet(modelDir, page);
  const guesses = (await fill('the [MASK] of the house was open .')) as { token_str: string; score: number }[];
  expect(printed).toEqual(guesses.map((g) => [g.token_str, g.score.toFixed(3)]));

  const enc = fill.tokenizer(probe.text);
  const ids = (enc.input_ids.tolist() as bigint[][])[0]!.map(Number);
  expect(ids, 'transformers.js tokenizes the probe sentence as masklab does').toEqual(probe.input_ids);
  const masks = ids.flatMap((id, i) => (id === fill.tokenizer.mask_token_id ? [i] : []));
  expect(masks.length).toBe(2);

  const out = (await fill.model(enc)) as { logits: { dims: number[]; data: Float32Array } };
  const [, n, V] = out.logits.dims as [number, number, number];
  expect(n).toBe(ids.length);
  let worst = 0;
  ours.positions.forEach((pos, i) => ours.logits[i]!.forEach((v, k) => (worst = Math.max(worst, Math.abs(v - out.logits.data[pos * V + k]!)))));
  expect(worst, 'max |transformers.js − our logits| over the probe').toBeLessThanOrEqual(1e-3);
  const tops: string[] = [];
  for (const pos of masks) {
    const i = ours.positions.indexOf(pos);
    expect(i, `our logits cover [MASK] at ${pos}`).toBeGreaterThanOrEqual(0);
    const row = ours.logits[i]!;
    const { best, runnerUp } = argmax(row);
    const theirs = argmax(out.logits.data.subarray(pos * V, (pos + 1) * V)).best;
    // A float tie (our top two within 1e-4) may break either way in another runtime: accept both.
    const accepted = row[best]! - row[runnerUp]! < TIE ? [best, runnerUp] : [best];
    expect(accepted, `top-1 at [MASK] position ${pos}`).toContain(theirs);
    tops.push(`[MASK]@${pos} → ${JSON.stringify(fill.tokenizer.decode([theirs]))}${accepted.length > 1 ? ' (float tie, either accepted)' : ''}`);
    if (pos === masks[0]) {
      const viaPipeline = (await fill(probe.text)) as { token: number }[];
      expect(accepted, 'the fill-mask pipeline\'s first guess').toContain(viaPipeline[0]!.token);
    }
  }
  console.log(`${modelDir}: ids ${JSON.stringify(ids)} = ours; logits max |Δ| ${worst.toExponential(2)}; top-1 ${tops.join(', ')} = ours; snippet printed ${printed.length} guesses`);
  await fill.dispose();
}

const readProbe = (run: string) => JSON.parse(readFileSync(join(run, 'probe.json'), 'utf8')) as Probe;

test.describe('transformers.js opens the exported folder as written', () => {
  test.beforeAll(() => {
    if (!existsSync('dist/index.html')) throw new Error('dist/ is missing: run `npm run build:app` first (npm test builds it).');
  });

  test('WordPiece BERT (bert-micro, Brown)', async () => {
    test.setTimeout(300_000);
    const run = exportRun('bert-wordpiece', ['--preset', 'bert-micro']);
    const probe = readProbe(run);
    expect(probe.output).toBe('mlm-logits');
    expect(readFileSync(join(run, 'hf', 'README.md'), 'utf8')).toMatch(/^---\nlibrary_name: transformers.js\npipeline_tag: fill-mask\n[\s\S]*WordPiece, \d+ tokens/);
    await checkFillMask(join(run, 'hf'), join(run, '..', 'page'), probe, { positions: probe.positions, logits: probe.logits as number[][] });
  });

  test('character BERT (bert-micro, Brown, --tokenizer char)', async () => {
    test.setTimeout(300_000);
    // --seq 32: the probe sentence is 21 tokens with characters, more than the preset's 16.
    const run = exportRun('bert-char', ['--preset', 'bert-micro', '--tokenizer', 'char', '--seq', '32']);
    const probe = readProbe(run);
    expect(probe.input_ids.length).toBe(21); // 19 characters and [MASK]s, [CLS], [SEP]: nothing truncated
    expect(readFileSync(join(run, 'hf', 'README.md'), 'utf8')).toContain('Characters: each character seen in training');
    await checkFillMask(join(run, 'hf'), join(run, '..', 'page'), probe, { positions: probe.positions, logits: probe.logits as number[][] });
  });

  test('ELECTRA generator (electra-micro, Brown); the discriminator beside it gives our logits too', async () => {
    test.setTimeout(300_000);
    const run = exportRun('electra', ['--preset', 'electra-micro']);
    const probe = readProbe(run);
    expect(probe.output).toBe('discriminator-logits');
    expect(probe.generator, 'probe.json carries the generator\'s MLM logits').toBeDefined();
    await checkFillMask(join(run, 'hf', 'generator'), join(run, '..', 'page'), probe, probe.generator!);

    // The discriminator: AutoModel returns the graph's `logits` (1, sequence), one per token.
    const dir = join(run, 'hf', 'discriminator');
    const tokenizer = await AutoTokenizer.from_pretrained(dir, { local_files_only: true });
    const model = await AutoModel.from_pretrained(dir, { local_files_only: true });
    const { logits } = (await model(tokenizer(probe.text))) as { logits: { dims: number[]; data: Float32Array } };
    expect(logits.dims).toEqual([1, probe.input_ids.length]);
    const worst = Math.max(...(probe.logits as number[]).map((v, i) => Math.abs(v - logits.data[i]!)));
    expect(worst, 'max |transformers.js − our discriminator logits|').toBeLessThanOrEqual(1e-3);
    await model.dispose();
  });
});
