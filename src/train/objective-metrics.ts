// An objective's metric blocks on the GPU (its runtime's `metrics.tensors`): the ranges a step's
// readback copies after the common ones, and the typed arrays they parse into. Both the training
// loop (through the readback ring) and the eval (one read per batch) go through here, so the
// blocks are named in one place: the objective's runtime.
import type { Gpu } from '../gpu/device.ts';
import type { BufferRange } from '../gpu/pipelines.ts';
import { readRange } from '../gpu/readback.ts';
import type { BertModel } from '../model/bert.ts';
import type { MetricTensor } from '../objectives/runtime-types.ts';

export type MetricBlocks = (Float32Array | Uint32Array)[];

export function metricRanges(model: BertModel, tensors: readonly MetricTensor[]): BufferRange[] {
  return tensors.map((x) => model.t(x.name));
}

/** The copied bytes of each tensor, as its element type. */
export function parseMetricBlocks(tensors: readonly MetricTensor[], bytes: readonly ArrayBuffer[]): MetricBlocks {
  return tensors.map((x, i) => (x.type === 'u32' ? new Uint32Array(bytes[i]!) : new Float32Array(bytes[i]!)));
}

/** Reads the blocks now (eval: between batches, never in the training loop). */
export async function readMetricTensors(gpu: Gpu, model: BertModel, tensors: readonly MetricTensor[]): Promise<MetricBlocks> {
  return parseMetricBlocks(tensors, await Promise.all(metricRanges(model, tensors).map((r) => readRange(gpu, r))));
}
