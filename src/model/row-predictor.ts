// The probe view's one-row plan (issue [M]): BERT's forward at batch 1 (embeddings, every layer,
// the MLM head at the row's prediction slots, no loss, no backward) on a small arena of its own
// for the row's inputs and activations, reading the training model's parameters in place. The
// view's forward pass then costs a B-th of the batch plan's (views.ts runs it every few steps).
// What it does not do: train, or copy parameters (it always sees the current ones).
import { Arena, ArenaPlan } from '../gpu/arena.ts';
import type { Gpu } from '../gpu/device.ts';
import type { BertModel, RowPredictor } from './bert.ts';
import { maxPredictions, type RunConfig } from './config.ts';
import { embeddingActs, inputSpecs, layerActs, mlmHeadActs } from './layout.ts';
import { embeddingPass, layersPass, mlmHeadPass, run, ScratchPlan, type TensorSource } from './passes.ts';

/** The batch tensors a prediction reads (the masking lab's are not needed). */
const ROW_INPUTS = new Set(['tokens', 'attn_mask', 'inputs', 'positions', 'weights']);

export async function createBertRowPredictor(gpu: Gpu, cfg: RunConfig, V: number, model: BertModel): Promise<RowPredictor> {
  const mc = cfg.model;
  const { T, L, C, layerNormEps: eps } = mc;
  const B = 1;
  const P = maxPredictions(cfg);
  // Declared like the model's pieces; forward-only pieces look up no backward scratch.
  const sp = new ScratchPlan();
  const embP = embeddingPass(sp, { params: 'emb.', acts: 'emb.', ids: ['inputs'], B, T, E: C, V, eps, forwardOnly: true });
  const layersP = layersPass(sp, { prefix: '', dims: mc, B, T, eps, x: 'emb.ln.out', dx: '', forwardOnly: true });
  const headP = mlmHeadPass(sp, { params: 'head.', acts: 'head.', x: `l${L - 1}.ln2.out`, wte: 'emb.wte', metrics: '', B, T, P, C, E: C, V, eps, forwardOnly: true });
  const plan = new ArenaPlan();
  const specs = [...inputSpecs(B, T, P, V).filter((s) => ROW_INPUTS.has(s.name)), ...embeddingActs('emb.', B, T, C), ...layerActs('', mc, B, T), ...mlmHeadActs('head.', B * P, C, C, V)];
  for (const s of specs) plan.add('acts', s.name, s.shape, s.dtype);
  const own = Arena.build(gpu, plan, 'probe row');
  const source: TensorSource = { get: (name) => (own.has(name) ? own.get(name) : model.arena.get(name)) };
  try {
    const emb = await embP(model.ctx, source);
    const layers = await layersP(model.ctx, source);
    const head = await headP(model.ctx, source);
    return {
      shape: { model: mc, V, B, P },
      arena: own,
      views: { ...model.views, correct: null },
      t: (name) => source.get(name),
      uploadBatch(tokens, attnMask) {
        own.write('tokens', tokens);
        own.write('attn_mask', attnMask);
      },
      recordPredict(enc) {
        emb.embed.inputs!.record(enc);
        emb.ln.record(enc);
        run(layers.fwd, enc);
        run(head.fwd, enc);
      },
      destroy: () => own.destroy(),
    };
  } catch (e) {
    own.destroy();
    throw e;
  }
}
