// `npm run train -- --out FILE` drives the built app's headless page and writes the adapter info.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';

test('npm run train writes JSON with the adapter', () => {
  const out = join(mkdtempSync(join(tmpdir(), 'masklab-')), 'run.json');
  const stdout = execFileSync('npx', ['tsx', 'cli/train.ts', '--no-build', '--out', out], { encoding: 'utf8', timeout: 120_000 });
  console.log(stdout);
  expect(stdout).toMatch(/adapter: /);
  const json = JSON.parse(readFileSync(out, 'utf8')) as { adapter: { architecture: string; limits: Record<string, number> } };
  expect(json.adapter.architecture.length).toBeGreaterThan(0);
  expect(json.adapter.limits.maxStorageBufferBindingSize).toBeGreaterThan(0);
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
