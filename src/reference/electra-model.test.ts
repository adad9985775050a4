// Proves the float64 ELECTRA step against central differences of its own loss, so the GPU
// gradient check compares against gradients that are right: the discriminator head and BCE, the
// generator's projection, and the shared token embedding, whose gradient must be the sum of the
// generator's path and the discriminator's.
import { describe, expect, it } from 'vitest';
import { Rng } from '../data/prng.ts';
import { DEFAULT_ELECTRA, type ElectraConfig, type ModelConfig } from '../model/config.ts';
import { electraSpecs } from '../model/electra-layout.ts';
import { initSpecs } from '../model/init.ts';
import { electraForwardBackward, type ElectraRefBatch } from './electra-model.ts';
import { fdError } from './finite-diff.ts';

const model: ModelConfig = { L: 1, C: 16, NH: 2, FFN: 16, T: 6, layerNormEps: 1e-12, initStd: 0.3 };
const V = 13;
const B = 2;
const P = 2;

function batch(): ElectraRefBatch {
  const rng = new Rng(3, 9);
  const T = model.T;
  const tokens = new Uint32Array(B * T).map(() => 5 + rng.int(V - 5));
  const mask = new Uint32Array(B * T).fill(1);
  mask[T + 5] = 0; // one padded position in row 1
  const positions = Uint32Array.from([1, 3, 2, 4]);
  const weights = Float64Array.from([1, 1, 1, 0]); // an unused slot
  const targets = Uint32Array.from(positions, (t, i) => tokens[Math.floor(i / P) * T + t]!);
  const inputs = tokens.slice();
  const discInputs = tokens.slice();
  const labels = new Float64Array(B * T);
  const sampled = [7, targets[1]!, 9]; // slot 1 sampled correctly: label 0
  for (let i = 0; i < 3; i++) {
    const at = Math.floor(i / P) * T + positions[i]!;
    inputs[at] = 4; // [MASK]
    discInputs[at] = sampled[i]!;
    labels[at] = sampled[i] === targets[i] ? 0 : 1;
  }
  return { inputs, mask, positions, targets, weights, discInputs, labels, lossWeights: Float64Array.from(mask) };
}

function setup(e: ElectraConfig) {
  const specs = electraSpecs({ model, electra: e, V, B, P });
  const params = new Map([...initSpecs(specs.params, model.initStd, 5)].map(([k, v]) => [k, Float64Array.from(v)]));
  const b = batch();
  const run = () => electraForwardBackward(params, model, e, V, B, P, b);
  return { params, run };
}

describe('ELECTRA float64 reference (central differences)', () => {
  const e: ElectraConfig = { ...DEFAULT_ELECTRA, genFraction: 0.5, discWeight: 3 };

  it('discriminator head, BCE, generator projection and embeddings match finite differences', () => {
    const { params, run } = setup(e);
    const ref = run();
    const names = ['disc.head.out.w', 'disc.head.out.b', 'disc.head.dense.w', 'disc.head.dense.b', 'disc.l0.ln2.w', 'gen.emb.proj.w', 'gen.head.bias', 'emb.wte', 'emb.wpe', 'emb.ln.w'];
    for (const name of names) {
      const err = fdError(ref.grads.get(name)!, params.get(name)!, () => run().loss);
      console.log(`electra reference FD ${name.padEnd(18)} ${err.toExponential(2)}`);
      expect(err, name).toBeLessThan(1e-5);
    }
  });

  it('the shared embedding gradient is the sum of the generator path and the discriminator path', () => {
    const total = setup(e).run().grads.get('emb.wte')!;
    const genOnly = setup({ ...e, discWeight: 0 }).run().grads.get('emb.wte')!;
    const discOnly = setup({ ...e, uniformGenerator: true }).run().grads.get('emb.wte')!;
    let worst = 0;
    let gNorm = 0;
    let dNorm = 0;
    for (let i = 0; i < total.length; i++) {
      worst = Math.max(worst, Math.abs(total[i]! - genOnly[i]! - discOnly[i]!));
      gNorm = Math.max(gNorm, Math.abs(genOnly[i]!));
      dNorm = Math.max(dNorm, Math.abs(discOnly[i]!));
    }
    expect(gNorm).toBeGreaterThan(1e-4); // both paths contribute
    expect(dNorm).toBeGreaterThan(1e-4);
    expect(worst / Math.max(gNorm, dNorm)).toBeLessThan(1e-12);
  });

  it('untied embeddings: the generator gets its own table and the shared one only the discriminator path', () => {
    const { params, run } = setup({ ...e, tiedEmbeddings: false });
    const ref = run();
    expect(params.has('gen.emb.wte')).toBe(true);
    for (const name of ['gen.emb.wte', 'emb.wte']) {
      const err = fdError(ref.grads.get(name)!, params.get(name)!, () => run().loss);
      expect(err, name).toBeLessThan(1e-5);
    }
  });
});
