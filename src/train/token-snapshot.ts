// ELECTRA's token-by-token view of held-out rows: the original tokens, what the discriminator
// was given (the generator's seed-frozen samples under the fixed eval mask), its labels and its
// probabilities. Runs one forward on the first B held-out rows between steps; it reads what the
// model's views name and does not train or change any parameter.

import { sliceRows } from '../data/batcher.ts';
import type { Dataset } from '../data/dataset.ts';
import type { Gpu } from '../gpu/device.ts';
import { readF32, readU32 } from '../gpu/readback.ts';
import { StepEncoder } from '../gpu/step-encoder.ts';
import type { BertModel } from '../model/bert.ts';
import type { MaskingStage } from './masking-stage.ts';
import type { TokenSnapshot } from './protocol.ts';

/** The first `rows` held-out rows (each up to T tokens) at training step `step`. */
export async function tokenSnapshot(gpu: Gpu, model: BertModel, dataset: Dataset, masking: MaskingStage, step: number, rows: number): Promise<TokenSnapshot> {
  const disc = model.views.disc;
  if (!disc) throw new Error('Token snapshots show the generator\'s samples and the discriminator\'s guesses: they need a run with a discriminator (objective electra).');
  const { B, model: { T } } = model.shape;
  const batch = sliceRows(dataset.evalSet, 0, B);
  model.uploadBatch(batch.ids, batch.attention);
  const enc = new StepEncoder(gpu, { label: 'snapshot' });
  masking.recordFixedEval(enc, 0);
  model.setEvalBatch?.(0);
  model.recordForward(enc);
  enc.submit();
  const [input, labels, probs, masked] = await Promise.all([
    readU32(gpu, model.t(disc.inputs)),
    readF32(gpu, model.t(disc.labels)),
    readF32(gpu, model.t(disc.probs)),
    readU32(gpu, model.t('inputs')),
  ]);
  const tok = dataset.tokenizer;
  const out: TokenSnapshot = { step, rows: [] };
  for (let b = 0; b < Math.min(rows, B); b++) {
    const row: TokenSnapshot['rows'][number] = { tokens: [], input: [], masked: [], labels: [], probs: [] };
    for (let t = 0; t < T; t++) {
      const i = b * T + t;
      if (!batch.attention[i]) break;
      row.tokens.push(tok.idToToken(batch.ids[i]!));
      row.input.push(tok.idToToken(input[i]!));
      row.masked.push(masked[i] !== batch.ids[i]); // the fixed eval mask is all [MASK]
      row.labels.push(labels[i]!);
      row.probs.push(probs[i]!);
    }
    out.rows.push(row);
  }
  return out;
}
