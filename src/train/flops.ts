// Estimated FLOPs of training steps, counting multiply-adds as 2 FLOPs in the matmuls and the
// attention products (everything else is noise at these sizes). Backward costs twice the forward
// (one product for the input gradient, one for the weight gradient), the usual 3× rule of
// ELECTRA's flops_computation.py. Used to put runs on a compute-matched x-axis.
import type { ModelConfig, RunConfig } from '../model/config.ts';
import { generatorDims } from '../model/config.ts';

/** One encoder forward pass (no MLM head), e.g. attention-guided masking's scoring pass. */
export function encoderForwardFlops(model: ModelConfig, B: number): number {
  const { C, FFN, T, L } = model;
  const BT = B * T;
  return L * (2 * BT * C * (3 * C) + 2 * BT * C * C + 2 * BT * C * FFN * 2 + 2 * 2 * B * T * T * C);
}

/** One MLM training step: encoder + MLM head on B·P masked rows, forward and backward. */
export function mlmFlopsPerStep(model: ModelConfig, V: number, B: number, P: number): number {
  const M = B * P;
  const head = 2 * M * model.C * model.C + 2 * M * model.C * V;
  return 3 * (encoderForwardFlops(model, B) + head);
}

/**
 * One ELECTRA training step split by model: the generator (projection E → C_g, encoder, MLM head
 * C_g → E → V on the masked rows; 0 when uniform) and the discriminator (encoder + binary head
 * on every token), each forward and backward. Sampling and the BCE are noise.
 */
export function electraFlopsPerStep(cfg: RunConfig, V: number, B: number, P: number): { generator: number; discriminator: number } {
  const { model, electra } = cfg;
  const BT = B * model.T;
  const M = B * P;
  const E = model.C;
  const g = generatorDims(model, electra.genFraction);
  const generator = electra.uniformGenerator
    ? 0
    : 3 * ((g.C !== E ? 2 * BT * E * g.C : 0) + encoderForwardFlops({ ...model, ...g }, B) + 2 * M * g.C * E + 2 * M * E * V);
  const discriminator = 3 * (encoderForwardFlops(model, B) + 2 * BT * model.C * model.C + 2 * BT * model.C);
  return { generator, discriminator };
}
