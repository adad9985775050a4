// What an objective does in the engine, loaded on demand from its folder (`spec.runtime()`), so
// the specs stay data that every layer can read without pulling in GPU code.
import type { Gpu } from '../gpu/device.ts';
import type { BertModel } from '../model/bert.ts';
import type { ModelConfig, RunConfig } from '../model/config.ts';
import type { Dataset } from '../data/dataset.ts';
import type { ObjectiveBaseline } from '../train/protocol.ts';

export interface ObjectiveRuntime {
  /** The objective's model on the GPU, parameters not yet initialised. */
  build(gpu: Gpu, config: RunConfig, V: number): Promise<BertModel>;
  /**
   * Estimated FLOPs of one training step by part (e.g. generator and discriminator), forward and
   * backward; the run's FLOPs per step is their sum (plus any masking pass).
   */
  flopsPerStep(config: RunConfig, V: number, B: number, P: number): Record<string, number>;
  /**
   * Simple predictors its held-out numbers are judged against, computed on the CPU from the
   * training batches and the eval rows (the first `evalRows` of dataset.evalSet); shown with the run.
   */
  baselines?(dataset: Dataset, config: RunConfig, evalRows: number): ObjectiveBaseline[];
  /** Its metrics (spec.metrics) from the GPU; absent when it has none beyond loss and accuracy. */
  metrics?: MetricReadback;
  /** The ONNX graph of the model a person keeps (BERT; ELECTRA's discriminator); absent = none yet. */
  onnx?(params: ReadonlyMap<string, Float32Array>, model: ModelConfig, V: number): Uint8Array;
}

/** A block the GPU leaves behind: a tensor of the model (BertModel.t) and its element type. */
export interface MetricTensor {
  name: string;
  type: 'f32' | 'u32';
}

/**
 * How an objective's metrics come back: the tensors read after a logged step or an eval batch (in
 * one readback with the common `metrics` block [loss, accuracy, count], which comes first), and
 * the values by metric name. The readback's size is the sum of the tensors'.
 */
export interface MetricReadback {
  tensors: readonly MetricTensor[];
  /** One step's values, and the run's total loss where it is not the common block's. */
  step(common: Float32Array, blocks: readonly (Float32Array | Uint32Array)[], config: RunConfig): { values: Record<string, number>; loss?: number };
  /** Held-out batches combined: add each batch's blocks, then read the result. */
  evalSum(): { add(common: Float32Array, blocks: readonly (Float32Array | Uint32Array)[]): void; result(): Record<string, number> };
}
