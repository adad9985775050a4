// What a training run holds on the GPU besides its model's arena, so the model's arena can refuse
// the whole setup before its first buffer (gpu/memory-plan.ts): the linear probe's arena at its
// largest, the roll-back copies of the weights, checkpoint staging, the views' readback rings and
// the small buffers. Each item says where its size comes from; the views size their rings here.
// What it does not do: allocate, or lay out the model (layout.ts and the objectives' builders).

import { Arena, type ArenaPlan } from '../gpu/arena.ts';
import type { Gpu } from '../gpu/device.ts';
import { MiB, type MemoryItem } from '../gpu/memory-plan.ts';
import { maxPredictions, type RunConfig } from './config.ts';
import { POOLS } from './layout.ts';
import { probeArenaBound } from './probe-plan.ts';

/** What the views (train/views.ts) read back: the batch view's rows and the probe view's tensors. */
export interface ViewShape {
  B: number;
  T: number;
  P: number;
  V: number;
  NH: number;
  /** Attention maps (B,NH,T,T) the probe view reads, one per layer. */
  layers: number;
  /** ELECTRA: the discriminator's inputs, labels and probabilities per token. */
  disc: boolean;
  /** Columns of the per-token output an objective's own view reads (model.views.tokenOutput). */
  tokenCols: number;
}

/** Slots of each view ring: two batch views in flight, one probe. */
export const VIEW_RING_SLOTS = { batch: 2, probe: 1 } as const;

/** Bytes of one slot of each view ring. */
export function viewSlotBytes(v: ViewShape): { batch: number; probe: number } {
  const { B, T, P, V, NH } = v;
  // A row: tokens, attn_mask, inputs, record (T each) and positions, weights, correct (P each).
  const rowBytes = 4 * (4 * T + 3 * P) + (v.disc ? 12 * T : 0);
  return { batch: B * rowBytes, probe: 4 * (v.layers * NH * T * T + P * V + T + T * v.tokenCols) };
}

/**
 * The run's GPU memory outside any arena, for a model with `paramsBytes` of parameters (the
 * params pool; grads and both moments have the same layout). Upper bounds where the objective
 * decides (an ELECTRA row, a per-token output of T columns).
 */
export function besidesArenas(cfg: RunConfig, V: number, paramsBytes: number): MemoryItem[] {
  const { T, NH, L } = cfg.model;
  const B = cfg.train.batch;
  const ring = viewSlotBytes({ B, T, P: maxPredictions(cfg), V, NH, layers: L, disc: true, tokenCols: T });
  return [
    // gpu/state-snapshot.ts: two slots, each a copy of params and both AdamW moments.
    { what: 'roll-back copies', bytes: 2 * 3 * paramsBytes },
    // Saving a checkpoint reads params and both moments at once, one staging buffer per tensor.
    { what: 'checkpoint staging', bytes: 3 * paramsBytes },
    { what: 'view readback rings', bytes: VIEW_RING_SLOTS.batch * ring.batch + VIEW_RING_SLOTS.probe * ring.probe },
    // Uniform blocks (64 KiB chunks, a few per model), the metrics ring (a few hundred bytes a
    // slot) and one-off reads: an ELECTRA snapshot reads four (B,T) tensors at once.
    { what: 'uniforms and small reads', bytes: 4 * MiB + 4 * 4 * B * T },
  ];
}

/** Everything besides the model's arena, the probe's at its largest included (align: the device's offset alignment). */
export function runAllowances(cfg: RunConfig, V: number, paramsBytes: number, align: number): MemoryItem[] {
  return [{ what: 'linear probe (at most)', bytes: probeArenaBound(cfg, align) }, ...besidesArenas(cfg, V, paramsBytes)];
}

/** The model's arena, refused before its first buffer unless the whole run fits (see Arena.create). */
export function createModelArena(gpu: Gpu, cfg: RunConfig, V: number, plan: ArenaPlan, label: string): Promise<Arena> {
  const align = gpu.device.limits.minStorageBufferOffsetAlignment;
  return Arena.create(gpu, plan, label, { alongside: runAllowances(cfg, V, plan.poolElements(POOLS.params, align) * 4, align) });
}
