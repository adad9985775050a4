// Held-out evaluation with the fixed, seed-frozen eval mask (uniform 15%, all [MASK]; spec D.1)
// or with the run's own strategy (seed-frozen), and the unigram baseline on exactly the fixed
// mask's tokens, so "beats frequencies alone" is a fair statement. Eval batches are submitted one
// at a time: each rewrites the batch and the mask's step with writeBuffer, which must land
// between submissions.
import type { Batch } from '../data/batcher.ts';
import { sliceRows, unigramBaselineLoss } from '../data/batcher.ts';
import type { Gpu } from '../gpu/device.ts';
import { StepEncoder } from '../gpu/step-encoder.ts';
import { readF32, readU32 } from '../gpu/readback.ts';
import { randomMaskingReference } from '../masking/reference.ts';
import type { BertModel } from '../model/bert.ts';
import type { MetricReadback } from '../objectives/runtime-types.ts';
import { EVAL_MASK_SEED, type MaskingStage } from './masking-stage.ts';
import { readMetricTensors } from './objective-metrics.ts';

/** Full batches of B rows the eval set holds, capped at `wanted`. */
export function evalBatchCount(evalSet: Batch, B: number, wanted: number): number {
  return Math.min(wanted, Math.floor(evalSet.B / B));
}

export interface EvalResult {
  loss: number;
  accuracy: number;
  count: number;
  /** The objective's own metrics over the same batches, by name (its runtime's readback). */
  values?: Record<string, number>;
  /** With unigram counts: mean −log p_unigram over exactly the tokens this mask chose (read back). */
  unigram?: number;
}

/**
 * `unigramCounts` (the training data's token counts): also the unigram baseline on the tokens the
 * mask chose, read back from the GPU. The own mask's tokens differ by strategy (whole words, spans,
 * attended tokens), so its fair baseline is measured on them, not on the fixed mask's.
 */
export async function evaluate(gpu: Gpu, model: BertModel, masking: MaskingStage, evalSet: Batch, batches: number, mask: 'fixed' | 'own', opts: { unigramCounts?: Uint32Array; metrics?: MetricReadback } = {}): Promise<EvalResult> {
  const { unigramCounts } = opts;
  const { B } = model.shape;
  let lossSum = 0;
  let accSum = 0;
  let count = 0;
  let uniSum = 0;
  let uniCount = 0;
  const objective = opts.metrics?.evalSum();
  for (let i = 0; i < batches; i++) {
    const rows = sliceRows(evalSet, i * B, B);
    model.uploadBatch(rows.ids, rows.attention);
    const enc = new StepEncoder(gpu, { label: 'eval' });
    if (mask === 'fixed') masking.recordFixedEval(enc, i);
    else masking.recordOwnEval(enc, rows, i);
    model.setEvalBatch?.(i); // e.g. ELECTRA's generator samples, seed-frozen
    model.recordForward(enc);
    enc.submit();
    const m = await readF32(gpu, model.t('metrics'));
    const [loss, acc, w] = m;
    lossSum += loss! * w!;
    accSum += acc! * w!;
    count += w!;
    if (unigramCounts) {
      const [targets, weights] = await Promise.all([readU32(gpu, model.t('targets')), readF32(gpu, model.t('weights'))]);
      const [sum, n] = unigramSum(unigramCounts, targets, weights);
      uniSum += sum;
      uniCount += n;
    }
    if (objective) objective.add(m, await readMetricTensors(gpu, model, opts.metrics!.tensors));
  }
  const r: EvalResult = { loss: count ? lossSum / count : NaN, accuracy: count ? accSum / count : NaN, count, ...(unigramCounts ? { unigram: uniCount ? uniSum / uniCount : NaN } : {}) };
  return objective ? { ...r, values: objective.result() } : r;
}

/** [weighted sum of −log p_unigram(target), total weight] of one batch's masked tokens. */
function unigramSum(counts: Uint32Array, targets: Uint32Array, weights: Float32Array): [number, number] {
  const w = weights.reduce((a, b) => a + b, 0);
  return w > 0 ? [unigramBaselineLoss(counts, targets, weights) * w, w] : [0, 0];
}

/** Mean −log p_unigram(target) over the eval-masked tokens (the CPU twin of the GPU eval mask). */
export function unigramBaseline(evalSet: Batch, batches: number, B: number, P: number, V: number, counts: Uint32Array): number {
  let sum = 0;
  let n = 0;
  for (let i = 0; i < batches; i++) {
    const rows = sliceRows(evalSet, i * B, B);
    const m = randomMaskingReference(rows.ids, B, evalSet.T, P, { rate: 0.15, maxPredictions: P, maskProb: 1, randomProb: 0, vocabSize: V, seed: EVAL_MASK_SEED }, i);
    const [s, w] = unigramSum(counts, m.targets, m.weights);
    sum += s;
    n += w;
  }
  return n ? sum / n : NaN;
}
