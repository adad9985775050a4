// The peer benchmark's common shapes (issue [G]): a case is one piece of work (a training step, a
// forward, a kernel at a model's shape) that several runtimes do; each runtime's Runner queues K
// iterations and waits once, so every side is timed the same way. The harness (peers.ts)
// interleaves runtimes in blocks (A B C A B C …) after a warm-up and keeps each block's ms/iter.
import type { TuneOutcome } from '../gpu/autotune.ts';
import type { CaseResult } from './harness.ts';

/** One runtime's implementation of a case. */
export interface Runner {
  /** Queues `k` iterations on the GPU (or the CPU for WASM) and resolves once they have finished (onSubmittedWorkDone or a 4-byte read). */
  run(k: number): Promise<void>;
  dispose(): void;
}

/** 'untuned': our engine with its default kernels, beside 'ours' tuned on this adapter (--autotune-budget). */
export type RuntimeId = 'ours' | 'untuned' | 'tfjs' | 'ort-webgpu' | 'ort-wasm';

export interface BenchCase {
  /** "train bert-micro", "matmul QKV (512×32 · 32×96)", … */
  name: string;
  kind: 'train' | 'forward' | 'kernel';
  /** FLOPs of one iteration, when meaningful (matmuls: 2·M·N·K), for GFLOP/s. */
  flops?: number;
  runners: Partial<Record<RuntimeId, Runner>>;
  /** Equal-work evidence checked before timing (e.g. "losses 2.7731 vs 2.7733, |Δ| 2e-4 ≤ 1e-3"). */
  check?: { ok: boolean; detail: string; maxAbsDiff: number };
}

/** Per-iteration counts of WebGPU API calls on one runtime (counters.ts). */
export interface CallCounts {
  dispatches: number;
  bindGroupsCreated: number;
  writeBufferBytes: number;
  writeBufferCalls: number;
  mapAsyncCalls: number;
  submits: number;
}

export interface PeerBenchOptions {
  presets: string[];
  reps: number;
  /** Target duration of one timed block: iterations per block = ⌈blockMs / warm-up ms⌉, the same k for every runtime. */
  blockMs: number;
  kernels: boolean;
  /** The exported model's forward vs onnxruntime-web (default true); off under Node, where onnxruntime-web has no WebGPU. */
  forward?: boolean;
  /** Tune our kernels first (bound in ms) and time the untuned engine beside the tuned one; absent: no tuning. */
  autotuneMs?: number;
}

export interface PeerBenchResult {
  adapter: string;
  browser: string;
  date: string;
  options: PeerBenchOptions;
  /** False when an equal-work check failed: no timings are reported then. */
  ok: boolean;
  failures: string[];
  results: CaseResult[];
  /** With autotuneMs: what the tuner chose per preset (every product's choice, timings and gain). */
  tuning?: { preset: string; ms: number; outcomes: TuneOutcome[] }[];
  markdown: string;
}

