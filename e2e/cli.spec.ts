// `npm run train` drives the built app's headless page: --probe reports the adapter; a short run
// writes the JSON the issue asks for; bad flags get a usage message.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';

const tmp = () => mkdtempSync(join(tmpdir(), 'masklab-'));
const train = (args: string[], timeout = 120_000) => execFileSync('npx', ['tsx', 'cli/train.ts', '--no-build', ...args], { encoding: 'utf8', timeout });

test('npm run train -- --probe writes JSON with the adapter', () => {
  const out = join(tmp(), 'probe.json');
  const stdout = train(['--probe', '--out', out]);
  expect(stdout).toMatch(/adapter: /);
  const json = JSON.parse(readFileSync(out, 'utf8')) as { adapter: { architecture: string; limits: Record<string, number> } };
  expect(json.adapter.architecture.length).toBeGreaterThan(0);
  expect(json.adapter.limits.maxStorageBufferBindingSize).toBeGreaterThan(0);
});

test('a short training run prints progress and writes config, per-step loss, evals, baseline and timing', () => {
  const out = join(tmp(), 'run.json');
  const stdout = train(['--preset', 'bert-micro', '--steps', '12', '--seed', '3', '--eval-every', '6', '--out', out], 170_000);
  console.log(stdout.split('\n').slice(-6).join('\n'));
  expect(stdout).toMatch(/step 12\/12 {2}loss \d+\.\d+/);
  const j = JSON.parse(readFileSync(out, 'utf8')) as {
    config: { preset: string; train: { seed: number } };
    adapter: { architecture: string };
    trainLoss: { step: number; loss: number }[];
    evals: { step: number; loss: number; accuracy: number }[];
    unigramBaseline: number;
    tokensPerSec: number;
    wallSeconds: number;
  };
  expect(j.config.preset).toBe('bert-micro');
  expect(j.config.train.seed).toBe(3);
  expect(j.trainLoss.map((p) => p.step)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
  expect(j.trainLoss.every((p) => Number.isFinite(p.loss))).toBe(true);
  expect(j.evals.map((e) => e.step)).toEqual([6, 12]);
  expect(j.unigramBaseline).toBeGreaterThan(0);
  expect(j.tokensPerSec).toBeGreaterThan(0);
  expect(j.wallSeconds).toBeGreaterThan(0);
});

test('npm run train refuses an unknown flag with a usage message', () => {
  let stderr = '';
  let status = 0;
  try {
    execFileSync('npx', ['tsx', 'cli/train.ts', '--no-build', '--bogus'], { encoding: 'utf8', stdio: 'pipe' });
  } catch (e) {
    const err = e as { stderr: string; status: number };
    stderr = err.stderr;
    status = err.status;
  }
  expect(status).toBe(2);
  expect(stderr).toMatch(/--bogus/);
  expect(stderr).toMatch(/Usage: npm run train/);
});
