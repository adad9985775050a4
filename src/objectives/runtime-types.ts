// What an objective does in the engine, loaded on demand from its folder (`spec.runtime()`), so
// the specs stay data that every layer can read without pulling in GPU code.
import type { Gpu } from '../gpu/device.ts';
import type { BertModel } from '../model/bert.ts';
import type { ModelConfig, RunConfig } from '../model/config.ts';

export interface ObjectiveRuntime {
  /** The objective's model on the GPU, parameters not yet initialised. */
  build(gpu: Gpu, config: RunConfig, V: number): Promise<BertModel>;
  /**
   * Estimated FLOPs of one training step by part (e.g. generator and discriminator), forward and
   * backward; the run's FLOPs per step is their sum (plus any masking pass).
   */
  flopsPerStep(config: RunConfig, V: number, B: number, P: number): Record<string, number>;
  /** The ONNX graph of the model a person keeps (BERT; ELECTRA's discriminator). */
  onnx(params: ReadonlyMap<string, Float32Array>, model: ModelConfig, V: number): Uint8Array;
}
