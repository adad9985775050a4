// Float64 reference of the whole ELECTRA step (forward + backward) in the order src/model/electra.ts
// records it. The generator's samples are an input (they come from the GPU step being checked):
// sampling is stop-gradient in ELECTRA, so the loss is a function of the parameters for fixed
// samples, and so are the discriminator's inputs and labels.
//   L = L_MLM(generator) + λ · mean over counted tokens of BCE(discriminator logit, label)
// Shared embeddings get the sum of the generator's and the discriminator's gradients.

import type { ElectraConfig, ModelConfig } from '../model/config.ts';
import { generatorDims } from '../model/config.ts';
import { bceBackward, bceForward } from './bce.ts';
import { crossEntropyBackward, crossEntropyForward } from './crossentropy.ts';
import { embeddingsBackward, embeddingsForward, Grads, layersBackward, layersForward, mlmHeadBackward, mlmHeadForward, paramLookup } from './passes.ts';
import { geluBackward, geluForward } from './gelu.ts';
import { matmulBackward, matmulForward } from './matmul.ts';

export interface ElectraRefBatch {
  /** (B,T) the generator's (masked) input ids. */
  inputs: Uint32Array;
  /** (B,T) 1 = real token. */
  mask: Uint32Array;
  positions: Uint32Array;
  targets: Uint32Array;
  weights: Float64Array;
  /** (B,T) the discriminator's input: originals with the samples at the masked positions. */
  discInputs: Uint32Array;
  /** (B,T) 1 = replaced. */
  labels: Float64Array;
  /** (B,T) 1 = counted in the discriminator loss. */
  lossWeights: Float64Array;
}

export interface ElectraRefStep {
  genLoss: number;
  discLoss: number;
  /** L = genLoss + λ·discLoss. */
  loss: number;
  grads: Map<string, Float64Array>;
}

export function electraForwardBackward(params: Map<string, Float64Array>, model: ModelConfig, e: ElectraConfig, V: number, B: number, P: number, batch: ElectraRefBatch): ElectraRefStep {
  const { C, T, layerNormEps: eps } = model;
  const BT = B * T;
  const M = B * P;
  const p = paramLookup(params);
  const g = new Grads();
  const gd = generatorDims(model, e.genFraction);
  const genEmb = e.tiedEmbeddings ? 'emb.' : 'gen.emb.';
  const project = gd.C !== C;

  // ---- generator forward ----
  const gen = e.uniformGenerator
    ? null
    : (() => {
        const emb = embeddingsForward(p, genEmb, batch.inputs, B, T, C, eps);
        const x0 = project ? matmulForward(emb.ln.out, p('gen.emb.proj.w'), p('gen.emb.proj.b'), BT, C, gd.C) : emb.ln.out;
        const enc = layersForward(p, 'gen.', gd, x0, batch.mask, B, T, eps);
        const dims = { B, T, P, C: gd.C, E: C, V };
        const head = mlmHeadForward(p, 'gen.head.', `${genEmb}wte`, enc.out, batch.positions, dims, eps);
        const ce = crossEntropyForward(head.logits, batch.targets, batch.weights, M, V);
        return { emb, x0, enc, dims, head, ce };
      })();

  // ---- discriminator forward ----
  const demb = embeddingsForward(p, 'emb.', batch.discInputs, B, T, C, eps);
  const denc = layersForward(p, 'disc.', model, demb.ln.out, batch.mask, B, T, eps);
  const hpre = matmulForward(denc.out, p('disc.head.dense.w'), p('disc.head.dense.b'), BT, C, C);
  const h = geluForward(hpre);
  const logits = matmulForward(h, p('disc.head.out.w'), p('disc.head.out.b'), BT, C, 1);
  const bce = bceForward(logits, batch.labels, batch.lossWeights);

  // ---- backward: discriminator, then generator (the GPU's order) ----
  const dlogits = bceBackward(logits, batch.labels, batch.lossWeights, e.discWeight);
  const out = matmulBackward(dlogits, h, p('disc.head.out.w'), BT, C, 1);
  g.add('disc.head.out.w', out.dweight);
  g.add('disc.head.out.b', out.dbias);
  const dense = matmulBackward(geluBackward(hpre, out.dinp), denc.out, p('disc.head.dense.w'), BT, C, C);
  g.add('disc.head.dense.w', dense.dweight);
  g.add('disc.head.dense.b', dense.dbias);
  const dx = layersBackward(p, 'disc.', model, denc, dense.dinp, batch.mask, B, T, g);
  embeddingsBackward(p, 'emb.', demb, dx, B, T, C, V, g);
  if (gen) {
    const dlog = crossEntropyBackward(gen.head.logits, batch.targets, batch.weights, M, V);
    const dxg = mlmHeadBackward(p, 'gen.head.', `${genEmb}wte`, gen.head, dlog, batch.positions, batch.weights, gen.dims, g);
    let dx0 = layersBackward(p, 'gen.', gd, gen.enc, dxg, batch.mask, B, T, g);
    if (project) {
      const pr = matmulBackward(dx0, gen.emb.ln.out, p('gen.emb.proj.w'), BT, C, gd.C);
      g.add('gen.emb.proj.w', pr.dweight);
      g.add('gen.emb.proj.b', pr.dbias);
      dx0 = pr.dinp;
    }
    embeddingsBackward(p, genEmb, gen.emb, dx0, B, T, C, V, g);
  }
  const genLoss = gen ? gen.ce.meanLoss : 0;
  return { genLoss, discLoss: bce.meanLoss, loss: genLoss + e.discWeight * bce.meanLoss, grads: g.map };
}
