// ELECTRA through the CLI (short runs; the learning runs are in the GPU tests and the issue
// note): the JSON carries generator and discriminator metrics per step and per eval, the FLOPs
// split, and the per-token snapshot of the probe batch; ELECTRA options without ELECTRA exit 2.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from './fixtures.ts';

const run = (args: string[]) => execFileSync('npx', ['tsx', 'cli/train.ts', '--no-build', ...args], { encoding: 'utf8', timeout: 170_000, stdio: 'pipe' });

interface ElectraJson {
  config: { objective: string };
  run: { flops: { generator: number; discriminator: number }; flopsPerStep: number };
  electra: { step: number; discLoss: number; auc: number; sampledAccuracy: number; replacedOfMasked: number }[];
  evals: { electra: { auc: number; precision: number; recall: number; discAccuracy: number } }[];
  snapshot: { rows: { tokens: string[]; input: string[]; masked: boolean[]; labels: number[]; probs: number[] }[] };
}

test('npm run train -- --preset electra-micro writes generator and discriminator metrics and a token snapshot', () => {
  const out = join(mkdtempSync(join(tmpdir(), 'masklab-')), 'electra.json');
  const log = run(['--preset', 'electra-micro', '--steps', '6', '--eval-every', '6', '--out', out]);
  expect(log).toMatch(/objective ELECTRA: discWeight=50 .*; generator [\d.]+, discriminator [\d.]+ GFLOP\/step/);
  const j = JSON.parse(readFileSync(out, 'utf8')) as ElectraJson;
  expect(j.config.objective).toBe('electra');
  expect(j.run.flops.generator).toBeGreaterThan(0);
  expect(j.run.flops.discriminator).toBeGreaterThan(j.run.flops.generator);
  expect(j.run.flopsPerStep).toBe(j.run.flops.generator + j.run.flops.discriminator);
  expect(j.electra).toHaveLength(6);
  for (const p of j.electra) {
    expect(Number.isFinite(p.discLoss)).toBe(true);
    expect(p.auc).toBeGreaterThanOrEqual(0);
    expect(p.auc).toBeLessThanOrEqual(1);
    expect(p.replacedOfMasked).toBeGreaterThan(0);
  }
  expect(j.evals).toHaveLength(1);
  expect(j.evals[0]!.electra.auc).toBeGreaterThan(0);
  const rows = j.snapshot.rows;
  expect(rows.length).toBeGreaterThan(0);
  for (const r of rows) {
    expect(r.input).toHaveLength(r.tokens.length);
    r.labels.forEach((label, i) => {
      // Replaced exactly where masked and the sample differs from the original.
      expect(label).toBe(r.masked[i] && r.input[i] !== r.tokens[i] ? 1 : 0);
      expect(r.probs[i]).toBeGreaterThanOrEqual(0);
      expect(r.probs[i]).toBeLessThanOrEqual(1);
    });
  }
});

test('--objective electra on a BERT preset, with a uniform generator, trains', () => {
  const out = join(mkdtempSync(join(tmpdir(), 'masklab-')), 'rts.json');
  run(['--preset', 'bert-micro', '--objective', 'electra', '--uniform-generator', '--steps', '4', '--eval-every', '4', '--out', out]);
  const j = JSON.parse(readFileSync(out, 'utf8')) as ElectraJson;
  expect(j.config.objective).toBe('electra');
  expect(j.run.flops.generator).toBe(0);
  expect(j.electra.at(-1)!.replacedOfMasked).toBeGreaterThan(0.5); // uniform samples are rarely right
});

test('ELECTRA options without --objective electra exit 2 and say what to add', () => {
  let status = 0;
  let stderr = '';
  try {
    run(['--preset', 'bert-micro', '--disc-weight', '10']);
  } catch (e) {
    ({ status, stderr } = e as { status: number; stderr: string });
  }
  expect(status).toBe(2);
  expect(stderr).toMatch(/--disc-weight is an ELECTRA option: add --objective electra/);
});
