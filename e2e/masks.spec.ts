// The masking strategies that need Brown (part-of-speech tags, a corpus for the PMI lexicon)
// train through the CLI, and so does one that does not (the CLI's --mask path on synthetic
// data); every other strategy trains in src/train/strategies.gpu.test.ts, in one browser rather
// than a Chromium per run. Bad masking flags exit non-zero with a message naming them.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from './fixtures.ts';
import { STRATEGIES } from '../src/masking/registry.ts';

const run = (args: string[]) => execFileSync('npx', ['tsx', 'cli/train.ts', '--no-build', ...args], { encoding: 'utf8', timeout: 170_000, stdio: 'pipe' });

for (const s of STRATEGIES.filter((x) => x.needs.includes('tags') || x.needs.includes('lexicon') || x.id === 'span')) {
  // Entity/POS masking needs Brown's tags and PMI masking a corpus to learn its lexicon from.
  const data = s.id === 'entity' || s.id === 'pmi' ? 'brown' : 'synthetic';
  test(`--mask ${s.id} trains and reports mask statistics and the own-mask eval`, () => {
    const out = join(mkdtempSync(join(tmpdir(), 'masklab-')), 'run.json');
    // No linear probes: this is about masking, and Brown runs would probe twice.
    run(['--mask', s.id, '--data', data, '--steps', '5', '--eval-every', '5', '--probe', 'none', '--out', out]);
    const j = JSON.parse(readFileSync(out, 'utf8')) as {
      run: { masking: { strategy: string } };
      maskStats: { achievedRate: number; maskFrac: number };
      evals: { loss: number }[];
      evalOwnMask: { loss: number; count: number }[];
    };
    expect(j.run.masking.strategy).toBe(s.id);
    expect(j.maskStats.achievedRate).toBeGreaterThan(0);
    expect(j.evals).toHaveLength(1);
    expect(j.evalOwnMask).toHaveLength(1);
    expect(j.evalOwnMask[0]!.count).toBeGreaterThan(0);
    expect(Number.isFinite(j.evalOwnMask[0]!.loss)).toBe(true);
  });
}

test('bad masking flags exit non-zero with a clear message', () => {
  const fail = (args: string[]) => {
    try {
      run(args);
    } catch (e) {
      const err = e as { stderr: string; status: number };
      return { status: err.status, stderr: err.stderr };
    }
    return { status: 0, stderr: '' };
  };
  const rate = fail(['--mask-rate', '1.5']);
  expect(rate.status).toBe(2);
  expect(rate.stderr).toMatch(/rate must be a number from 0\.05 to 0\.8 \(got "1\.5"\)/);
  const unknown = fail(['--mask', 'telepathy']);
  expect(unknown.status).toBe(2);
  expect(unknown.stderr).toMatch(/Unknown masking strategy "telepathy"/);
  const entity = fail(['--mask', 'entity', '--data', 'synthetic', '--steps', '5']);
  expect(entity.status).not.toBe(0);
  expect(entity.stderr).toMatch(/Entity \/ POS masking needs part-of-speech tags/);
  const list = run(['--list-masks']);
  for (const s of STRATEGIES) expect(list).toContain(`${s.id} — ${s.name}`);
});
