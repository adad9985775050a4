// Seeded Hugging Face-style initialisation: weights and embeddings ~ N(0, initStd), biases 0,
// LayerNorm weight 1, and the [PAD] row of the token embedding 0 (nn.Embedding(padding_idx)).
// Each tensor draws from its own stream keyed by its name, so adding a tensor never changes the
// others' values. Pure: returns host arrays; uploading them is the model's job.

import { Rng } from '../data/prng.ts';
import { PAD_ID } from '../data/special-tokens.ts';
import type { ModelConfig } from './config.ts';
import { paramSpecs, type ParamSpec } from './layout.ts';

/** FNV-1a of a string: a stable stream id per tensor name. */
export function nameStream(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

export function initParams(model: ModelConfig, V: number, seed: number): Map<string, Float32Array> {
  return initSpecs(paramSpecs(model, V), model.initStd, seed);
}

/** Initial values of any model's parameters (the token embeddings' [PAD] rows zero). */
export function initSpecs(specs: ParamSpec[], initStd: number, seed: number): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  for (const p of specs) {
    const n = p.shape.reduce((a, b) => a * b, 1);
    const a = new Float32Array(n);
    if (p.init === 'ones') a.fill(1);
    else if (p.init === 'normal') {
      const rng = new Rng(seed, nameStream(p.name));
      for (let i = 0; i < n; i++) a[i] = initStd * rng.normal();
    }
    if (p.name.endsWith('emb.wte')) {
      const width = p.shape[1]!;
      a.fill(0, PAD_ID * width, (PAD_ID + 1) * width);
    }
    out.set(p.name, a);
  }
  return out;
}
