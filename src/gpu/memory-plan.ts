// The memory check of a static plan, before anything is allocated: can every pool be created and
// bound on this adapter, and does everything the run will hold fit a stated total budget? Pure
// (sizes in, verdict out), so Node tests check plans without WebGPU.
// What it does not do: lay tensors out or check single tensors (arena.ts), decide what a run holds
// besides its arena (model/run-memory.ts), or know the GPU's real free memory: WebGPU does not
// expose it, so allocation failures at run time are caught by Arena.create's error scope instead.

export const MiB = 2 ** 20;

/**
 * What a run may hold on the GPU unless the caller states more (Gpu.memoryBudget): 1 GiB.
 * WebGPU tells neither how much memory a GPU has nor how much is free, and maxBufferSize is a
 * per-buffer cap (often 2–4 GiB, even on GPUs with less memory), so the budget cannot come from
 * the adapter. 1 GiB is what a tab can usually hold on the weakest GPUs masklab targets (laptop
 * integrated GPUs sharing system memory, 2 GiB discrete cards that also drive the desktop)
 * without the driver resetting the device, which would lose the run. Every preset fits with room
 * to spare (electra-tiny, the largest, plans about 250 MiB with everything its run holds; printed
 * by memory-plan.test.ts), while the config's ranges allow runs of tens of GiB (B 1024, T 512).
 * Raising it is safe where the GPU is known to have more: a real shortage is still caught, at
 * allocation, by Arena.create's error scope.
 */
export const DEFAULT_MEMORY_BUDGET = 1024 * MiB;

export interface MemoryLimits {
  /** GPUDevice.limits.maxBufferSize: the largest single buffer. */
  maxBufferSize: number;
  /** GPUDevice.limits.maxStorageBufferBindingSize: the largest range one binding may cover. */
  maxStorageBufferBindingSize: number;
  /** Total bytes the run may hold (DEFAULT_MEMORY_BUDGET unless stated otherwise). */
  budget: number;
}

/** One pool of an arena as it will be created. */
export interface PoolBytes {
  pool: string;
  /** Bytes of each buffer the pool becomes (several when maxBufferSize splits it). */
  buffers: number[];
  /** Bound as one range (Arena.poolRange): it must be one buffer and one binding. */
  whole: boolean;
}

/** Memory the run holds besides the arena being checked (another arena, copies, staging), by what it is. */
export interface MemoryItem {
  what: string;
  bytes: number;
}

export interface MemoryVerdict {
  ok: boolean;
  /** Bytes of the arena's pools plus everything alongside it. */
  total: number;
  /** One sentence per limit broken; empty when ok. */
  problems: string[];
  /** The problems, then the planned sizes (per pool and besides) and the available ones; '' when ok. */
  message: string;
  hint: string;
}

export const mib = (bytes: number): string => `${(bytes / MiB).toFixed(1)} MiB`;

const poolTotal = (p: PoolBytes): number => p.buffers.reduce((a, b) => a + b, 0);

/** "params 1.2 MiB, grads 1.2 MiB, …; besides the arena: linear probe 3.0 MiB, …": what is planned, by part. */
export function describePlan(pools: readonly PoolBytes[], alongside: readonly MemoryItem[] = []): string {
  const parts = pools.map((p) => `${p.pool} ${mib(poolTotal(p))}${p.buffers.length > 1 ? ` in ${p.buffers.length} buffers` : ''}`).join(', ');
  const besides = alongside.filter((x) => x.bytes > 0).map((x) => `${x.what} ${mib(x.bytes)}`);
  return besides.length ? `${parts}; besides the arena: ${besides.join(', ')}` : parts;
}

/**
 * Checks a laid-out arena (`pools`) and what the run holds alongside it against the adapter's
 * limits and the budget. Pools longer than maxBufferSize are fine (the arena splits them) unless
 * they are bound whole; single tensors were checked by the layout.
 */
export function checkMemory(pools: readonly PoolBytes[], limits: MemoryLimits, alongside: readonly MemoryItem[] = []): MemoryVerdict {
  const problems: string[] = [];
  for (const p of pools) {
    if (!p.whole) continue;
    const bytes = poolTotal(p);
    // A whole pool is one buffer (the layout does not split it) bound as one range: both caps apply.
    const cap = Math.min(limits.maxBufferSize, limits.maxStorageBufferBindingSize);
    if (bytes > cap) {
      const which = cap === limits.maxStorageBufferBindingSize ? `binds at most ${mib(cap)} at once (maxStorageBufferBindingSize)` : `creates buffers of at most ${mib(cap)} (maxBufferSize)`;
      problems.push(`Pool ${p.pool} is bound as one range and needs ${mib(bytes)}, but this GPU ${which}.`);
    }
  }
  const arenaBytes = pools.reduce((a, p) => a + poolTotal(p), 0);
  const total = arenaBytes + alongside.reduce((a, x) => a + x.bytes, 0);
  if (total > limits.budget) problems.push(`This setup needs ${mib(total)} of GPU memory, more than the ${mib(limits.budget)} available to a run.`);
  if (problems.length === 0) return { ok: true, total, problems, message: '', hint: '' };

  const parts = [...pools.map((p) => ({ what: p.pool, bytes: poolTotal(p) })), ...alongside];
  const largest = parts.reduce((a, b) => (b.bytes > a.bytes ? b : a));
  const message = `${problems.join(' ')} Planned: ${describePlan(pools, alongside)}; total ${mib(total)} of ${mib(limits.budget)} available.`;
  const hint =
    `Choose a smaller batch, sequence length or model and start again; the largest part is ${largest.what} (${mib(largest.bytes)}). ` +
    `WebGPU cannot tell how much memory this GPU has, so masklab keeps a run within a stated ${mib(limits.budget)}.`;
  return { ok: false, total, problems, message, hint };
}
