// `npm run train` drives the built app's headless page: --adapter reports the adapter; a short run
// writes the JSON the issue asks for; bad flags get a usage message.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from './fixtures.ts';

const tmp = () => mkdtempSync(join(tmpdir(), 'masklab-'));
const train = (args: string[], timeout = 120_000) => execFileSync('npx', ['tsx', 'cli/train.ts', '--no-build', ...args], { encoding: 'utf8', timeout });

test('npm run train -- --adapter writes JSON with the adapter', () => {
  const out = join(tmp(), 'probe.json');
  const stdout = train(['--adapter', '--out', out]);
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

test('--probe on Brown: probes at step 0, at each eval and at the end, with both baselines in the JSON', () => {
  const out = join(tmp(), 'run.json');
  const stdout = train(['--preset', 'bert-micro', '--data', 'brown', '--steps', '4', '--eval-every', '2', '--eval-batches', '1', '--probe', 'pos', '--probe-budget', '1', '--out', out], 170_000);
  expect(stdout).toMatch(/probes \(encoder\): pos \d+ train \/ \d+ held-out examples, majority baseline 0\.\d{3}/);
  expect(stdout).toMatch(/probe @4 pos: acc by layer [\d. ]+ \| best \S+( \d)? 0\.\d{3} F1 0\.\d{3} \(majority 0\.\d{3}\)/);
  const j = JSON.parse(readFileSync(out, 'utf8')) as {
    probes: {
      layers: string[];
      tasks: { id: string; baselines: { majority: { accuracy: number }; initialWeights: { accuracy: number }[] }; final: { step: number; accuracy: number } }[];
      points: { step: number; task: string; layer: number; accuracy: number; macroF1: number }[];
      cost: { ms: number; shareOfRun: number; probes: number };
    };
  };
  expect(j.probes.layers).toEqual(['embeddings', 'layer 1', 'layer 2']);
  expect(j.probes.tasks.map((t) => t.id)).toEqual(['pos']);
  expect([...new Set(j.probes.points.map((p) => p.step))]).toEqual([0, 2, 4]);
  expect(j.probes.points.filter((p) => p.step === 4).map((p) => p.layer)).toEqual([0, 1, 2]);
  const pos = j.probes.tasks[0]!;
  expect(pos.baselines.initialWeights).toHaveLength(3);
  expect(pos.final.step).toBe(4);
  // Even an untrained model's features know more POS than always answering NOUN.
  expect(pos.final.accuracy).toBeGreaterThan(pos.baselines.majority.accuracy);
  expect(j.probes.cost.probes).toBe(3);
  expect(j.probes.cost.shareOfRun).toBeGreaterThan(0);
});

test('--save-dir writes the Hugging Face folder, model.onnx, probe.json and a checkpoint that --resume continues exactly', () => {
  const dir = tmp();
  const out = join(dir, 'run.json');
  const stdout = train(['--preset', 'bert-micro', '--steps', '6', '--eval-every', '0', '--save-dir', dir, '--out', out], 170_000);
  expect(stdout).toMatch(/onnxruntime-web \((webgpu|wasm)\) vs our engine on .*: MLM logits at 9 positions, max \|Δ\| \S+ over 189 values: export verified/);
  const cfg = JSON.parse(readFileSync(join(dir, 'hf', 'config.json'), 'utf8')) as { architectures: string[]; hidden_size: number };
  expect(cfg.architectures).toEqual(['BertForMaskedLM']);
  expect(cfg.hidden_size).toBe(32);
  expect(readFileSync(join(dir, 'hf', 'vocab.txt'), 'utf8').split('\n')[4]).toBe('[MASK]');
  expect(readFileSync(join(dir, 'hf', 'model.safetensors')).length).toBeGreaterThan(8);
  expect(readFileSync(join(dir, 'model.onnx')).length).toBeGreaterThan(1000);
  const probe = JSON.parse(readFileSync(join(dir, 'probe.json'), 'utf8')) as { input_ids: number[]; positions: number[]; logits: number[][] };
  expect(probe.positions).toEqual(probe.input_ids.map((_, i) => i));
  expect(probe.logits.length).toBe(probe.input_ids.length);
  const whole = JSON.parse(readFileSync(out, 'utf8')) as { trainLoss: { step: number; loss: number }[] };

  // Resumed from step 6 to 9: the history carries over, the new steps continue it.
  const out2 = join(dir, 'resumed.json');
  const resumed = train(['--resume', join(dir, 'checkpoint.mlckpt'), '--steps', '9', '--eval-every', '0', '--out', out2], 170_000);
  expect(resumed).toMatch(/resumed .*checkpoint\.mlckpt at step 6 of 9/);
  const j = JSON.parse(readFileSync(out2, 'utf8')) as { trainLoss: { step: number; loss: number }[] };
  expect(j.trainLoss.map((p) => p.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  expect(j.trainLoss.slice(0, 6)).toEqual(whole.trainLoss);

  // A damaged checkpoint is refused with the reason before anything starts.
  const bad = join(dir, 'bad.mlckpt');
  writeFileSync(bad, readFileSync(join(dir, 'checkpoint.mlckpt')).subarray(0, 5000));
  let stderr = '';
  try {
    execFileSync('npx', ['tsx', 'cli/train.ts', '--no-build', '--resume', bad], { encoding: 'utf8', stdio: 'pipe' });
  } catch (e) {
    stderr = String((e as { stderr?: string }).stderr);
  }
  expect(stderr).toMatch(/--resume .*bad\.mlckpt: The checkpoint is truncated: it has 5000 bytes/);
});

test('npm run bench -- --peers checks equal work, then times ours against tfjs and onnxruntime-web', () => {
  const out = join(tmp(), 'peers.json');
  const stdout = execFileSync('npx', ['tsx', 'cli/bench.ts', '--no-build', '--peers', '--presets', 'bert-micro', '--reps', '3', '--block-ms', '1', '--no-kernels', '--out', out], { encoding: 'utf8', timeout: 170_000 });
  expect(stdout).toMatch(/train bert-micro .*: equal work ✓ loss before\/after one AdamW step/);
  expect(stdout).toMatch(/\| train bert-micro .* \| \d+(\.\d+)?× \|/);
  const j = JSON.parse(readFileSync(out, 'utf8')) as { ok: boolean; results: { name: string; runtimes: Record<string, { blocks: number[]; counts: { dispatches: number } | null }> }[] };
  expect(j.ok).toBe(true);
  const train = j.results.find((r) => r.name.startsWith('train'))!;
  expect(Object.keys(train.runtimes).sort()).toEqual(['ours', 'tfjs']);
  expect(train.runtimes.ours!.blocks.length).toBe(3);
  expect(train.runtimes.ours!.counts!.dispatches).toBeGreaterThan(10);
  const forward = j.results.find((r) => r.name.startsWith('forward'))!;
  expect(Object.keys(forward.runtimes).sort()).toEqual(['ort-wasm', 'ort-webgpu', 'ours']);
});

test('npm run bench:node runs the engine and the tfjs peer under Node on Dawn, without a browser', () => {
  // The wrapper bundles the bench and picks the adapter by MASKLAB_GPU (SwiftShader's Vulkan driver by default).
  const benchNode = (args: string[]) => execFileSync('npx', ['tsx', 'cli/bench-node.ts', ...args], { encoding: 'utf8', timeout: 170_000 });
  const dir = tmp();
  const plain = benchNode(['--presets', 'bert-micro', '--steps', '2', '--warmup', '1', '--out', join(dir, 'bench.json')]);
  // Which kernel leads the GPU time is a timing (on a busy machine attention can pass matmul): not asserted.
  expect(plain).toMatch(/^bert-micro: [\d.]+ ms\/step, \d+ tokens\/s, [\d.]+ GFLOP\/s, \d+ dispatches\/step, 0 bind groups\/step; GPU time: [\w -]+ \d+%/m);
  const b = JSON.parse(readFileSync(join(dir, 'bench.json'), 'utf8')) as { results: { steps: number; perStep: { dispatches: number; submits: number }; gpuTime: { kernel: string }[] }[] };
  expect(b.results[0]!.steps).toBe(2);
  expect(b.results[0]!.perStep.submits).toBe(1);
  expect(b.results[0]!.gpuTime.map((k) => k.kernel)).toContain('matmul backward');
  const peers = benchNode(['--peers', '--presets', 'bert-micro', '--reps', '3', '--block-ms', '1', '--no-kernels', '--out', join(dir, 'peers.json')]);
  expect(peers).toMatch(/\| train bert-micro .* \| \d+(\.\d+)?× \|/);
  const p = JSON.parse(readFileSync(join(dir, 'peers.json'), 'utf8')) as { ok: boolean; browser: string; results: { name: string; runtimes: Record<string, { blocks: number[] }> }[] };
  expect(p.ok).toBe(true);
  expect(p.browser).toMatch(/^Node v\d+/);
  expect(p.results.map((r) => r.name)).toEqual(['train bert-micro (B=32, T=16, V=21, P=3)']);
  expect(Object.keys(p.results[0]!.runtimes).sort()).toEqual(['ours', 'tfjs']);
  // Without a Vulkan driver the bundle says what to do instead of failing with a stack trace.
  const bare = spawnSync('node', ['dist-node/node-bench.mjs', '--presets', 'bert-micro', '--steps', '1'], { encoding: 'utf8', env: { ...process.env, LD_LIBRARY_PATH: '', VK_ICD_FILENAMES: '/nonexistent.json' }, timeout: 60_000 });
  expect(bare.status).toBe(1);
  expect(bare.stderr).toContain('no GPU adapter was found.\nDawn needs a Vulkan driver.');
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
