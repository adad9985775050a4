// Estimated FLOPs of one MLM training step, counting multiply-adds as 2 FLOPs in the matmuls and
// attention products (everything else is noise at these sizes). Backward costs twice the
// forward (one product for the input gradient, one for the weight gradient), the usual 3× rule
// of ELECTRA's flops_computation.py. Used to put runs on a compute-matched x-axis.
import type { ModelConfig } from '../model/config.ts';

export function mlmFlopsPerStep(model: ModelConfig, V: number, B: number, P: number): number {
  const { C, FFN, T, L } = model;
  const BT = B * T;
  const M = B * P;
  const perLayer = 2 * BT * C * (3 * C) + 2 * BT * C * C + 2 * BT * C * FFN * 2 + 2 * 2 * B * T * T * C;
  const head = 2 * M * C * C + 2 * M * C * V;
  return 3 * (L * perLayer + head);
}
