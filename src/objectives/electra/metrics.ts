// ELECTRA's metrics from the blocks the GPU step leaves behind (read back together, never
// waited for): the generator's MLM block, the discriminator's BCE block and the replace stats.
// Pure, so eval can aggregate held-out batches and tests can check the arithmetic.

/**
 * ELECTRA's metrics of one step or of the held-out eval (spec B2 "live metrics"). A type, not an
 * interface, so it is a Record<string, number> where the metrics are kept by name.
 */
export type ElectraMetrics = {
  /** Generator MLM loss and accuracy on the masked tokens (0 with a uniform generator). */
  genLoss: number;
  genAccuracy: number;
  /** Masked tokens whose sample equals the original (such a token is labelled "original"). */
  sampledAccuracy: number;
  /** Discriminator: mean BCE over the counted tokens, accuracy at p ≥ ½, precision, recall, ROC AUC. */
  discLoss: number;
  discAccuracy: number;
  precision: number;
  recall: number;
  auc: number;
  /** Replaced tokens / masked tokens, and / all counted tokens. */
  replacedOfMasked: number;
  replacedShare: number;
};

/** disc (8): [loss, accuracy, precision, recall, AUC, Σw, positives, 0]; stats (4) u32: [masked, sampled == original, replaced, real tokens]. */
export function electraMetrics(gen: Float32Array, disc: Float32Array, stats: Uint32Array): ElectraMetrics {
  const [masked, sampledOk, replaced, real] = Array.from(stats);
  const ratio = (a: number, b: number) => (b > 0 ? a / b : 0);
  return {
    genLoss: gen[0]!,
    genAccuracy: gen[1]!,
    sampledAccuracy: ratio(sampledOk!, masked!),
    discLoss: disc[0]!,
    discAccuracy: disc[1]!,
    precision: disc[2]!,
    recall: disc[3]!,
    auc: disc[4]!,
    replacedOfMasked: ratio(replaced!, masked!),
    replacedShare: ratio(replaced!, real!),
  };
}

/**
 * Held-out batches combined: means weighted by what each batch counted (masked slots for the
 * generator, counted tokens for the discriminator), precision and recall from the summed true
 * positives, and the AUC as the mean of the batches' AUCs weighted by their (positive, negative)
 * pair counts — AUC does not decompose over batches exactly.
 */
export class ElectraEvalSum {
  private n = 0;
  private sums = { genLoss: 0, genAcc: 0, genW: 0, discLoss: 0, discAcc: 0, discW: 0, tp: 0, predPos: 0, pos: 0, auc: 0, pairs: 0, masked: 0, sampledOk: 0, replaced: 0, real: 0 };

  add(gen: Float32Array, disc: Float32Array, stats: Uint32Array): void {
    const s = this.sums;
    const [, , precision, recall, auc, w, pos] = Array.from(disc);
    s.genLoss += gen[0]! * gen[2]!;
    s.genAcc += gen[1]! * gen[2]!;
    s.genW += gen[2]!;
    s.discLoss += disc[0]! * w!;
    s.discAcc += disc[1]! * w!;
    s.discW += w!;
    const tp = recall! * pos!;
    s.tp += tp;
    s.predPos += precision! > 0 ? tp / precision! : 0;
    s.pos += pos!;
    const pairs = pos! * (w! - pos!);
    s.auc += auc! * pairs;
    s.pairs += pairs;
    s.masked += stats[0]!;
    s.sampledOk += stats[1]!;
    s.replaced += stats[2]!;
    s.real += stats[3]!;
    this.n++;
  }

  result(): ElectraMetrics {
    const s = this.sums;
    const ratio = (a: number, b: number, none = 0) => (b > 0 ? a / b : none);
    return {
      genLoss: ratio(s.genLoss, s.genW),
      genAccuracy: ratio(s.genAcc, s.genW),
      sampledAccuracy: ratio(s.sampledOk, s.masked),
      discLoss: ratio(s.discLoss, s.discW),
      discAccuracy: ratio(s.discAcc, s.discW),
      precision: ratio(s.tp, s.predPos),
      recall: ratio(s.tp, s.pos),
      auc: ratio(s.auc, s.pairs, 0.5),
      replacedOfMasked: ratio(s.replaced, s.masked),
      replacedShare: ratio(s.replaced, s.real),
    };
  }
}
