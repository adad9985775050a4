// The forward case of the peer benchmark: our engine's BERT MLM forward (encoder + MLM head at
// every position) against the same weights exported to ONNX and run by onnxruntime-web, on its
// WebGPU execution provider and on WASM. Same inputs (B rows of T token ids, no padding), same
// output (logits (B,T,V)); ours and WebGPU keep their outputs on the GPU. Before any timing, the
// outputs must agree to ≤ 1e-3.
import type * as Ort from 'onnxruntime-web';
import { Rng } from '../data/prng.ts';
import { NUM_SPECIAL } from '../data/tokenizer.ts';
import type { Gpu } from '../gpu/device.ts';
import { StepEncoder } from '../gpu/step-encoder.ts';
import { readF32 } from '../gpu/readback.ts';
import { bertOnnx } from '../export/onnx.ts';
import { loadOrt } from '../export/onnx-runtime.ts';
import { createBert } from '../model/bert.ts';
import type { RunConfig } from '../model/config.ts';
import { initSpecs } from '../model/init.ts';
import { paramSpecs } from '../model/layout.ts';
import type { BenchCase, Runner } from './types.ts';

const TOLERANCE = 1e-3;

/** Random ordinary token ids (B,T) and an all-ones mask: the forward's input on every side. */
function inputs(B: number, T: number, V: number, seed: number): { ids: Uint32Array; mask: Uint32Array } {
  const rng = new Rng(seed, 404);
  return { ids: Uint32Array.from({ length: B * T }, () => NUM_SPECIAL + rng.int(V - NUM_SPECIAL)), mask: new Uint32Array(B * T).fill(1) };
}

async function ortSession(ort: typeof Ort, bytes: Uint8Array, ep: 'webgpu' | 'wasm'): Promise<Ort.InferenceSession> {
  return ort.InferenceSession.create(bytes, { executionProviders: [ep], graphOptimizationLevel: 'all', ...(ep === 'webgpu' ? { preferredOutputLocation: 'gpu-buffer' as const } : {}) });
}

/**
 * The forward case for `cfg`'s model shape and batch size, vocabulary V, weights from the run's
 * seeded init (the timing does not depend on their values; the check does not either).
 */
export async function forwardCase(gpu: Gpu, cfg: RunConfig, V: number): Promise<BenchCase> {
  const { T } = cfg.model;
  const B = cfg.train.batch;
  // The MLM head scores P slots per row: P = T (every position) makes our work the ONNX graph's.
  const full: RunConfig = { ...cfg, masking: { ...cfg.masking, params: { ...cfg.masking.params, maxPredictions: T } } };
  const model = await createBert(gpu, full, V);
  const params = initSpecs(paramSpecs(cfg.model, V), cfg.model.initStd, cfg.train.seed);
  model.uploadParams(params);
  const { ids, mask } = inputs(B, T, V, cfg.train.seed);
  const positions = Uint32Array.from({ length: B * T }, (_, i) => i % T);
  model.arena.write('positions', positions);
  model.arena.write('weights', new Float32Array(B * T).fill(1));
  const ours: Runner = {
    async run(k) {
      for (let i = 0; i < k; i++) {
        model.uploadBatch(ids, mask);
        model.arena.write('inputs', ids);
        const enc = new StepEncoder(gpu, { label: 'bench forward' });
        model.recordPredict(enc);
        enc.submit();
      }
      await gpu.device.queue.onSubmittedWorkDone();
    },
    dispose: () => model.destroy(),
  };

  const ort = await loadOrt();
  const bytes = bertOnnx(params, cfg.model, V, { attentions: false });
  const big = (a: Uint32Array) => new ort.Tensor('int64', BigInt64Array.from(a, (v) => BigInt(v)), [B, T]);
  const feeds = { input_ids: big(ids), attention_mask: big(mask) };
  const runners: BenchCase['runners'] = { ours };
  const details: string[] = [];
  let worst = 0;

  await ours.run(1);
  const want = await readF32(gpu, model.t('head.logits')); // (B·T, V), row b·T + t
  const compare = (name: string, got: Float32Array) => {
    let d = 0;
    for (let i = 0; i < want.length; i++) d = Math.max(d, Math.abs(got[i]! - want[i]!));
    if (!Number.isFinite(d)) d = Infinity;
    worst = Math.max(worst, d);
    details.push(`${name} max |Δ| ${d.toExponential(2)}`);
  };

  for (const ep of ['webgpu', 'wasm'] as const) {
    let session: Ort.InferenceSession;
    try {
      session = await ortSession(ort, bytes, ep);
    } catch (e) {
      details.push(`ort-${ep} unavailable: ${e instanceof Error ? e.message : String(e)}`);
      continue;
    }
    const out = await session.run(feeds);
    compare(`ort-${ep}`, (await out.logits!.getData()) as Float32Array);
    out.logits!.dispose();
    const device = ep === 'webgpu' ? await ort.env.webgpu.device : null;
    runners[`ort-${ep}`] = {
      async run(k) {
        for (let i = 0; i < k; i++) {
          const r = await session.run(feeds);
          if (device) r.logits!.dispose(); // the GPU buffer goes back to ORT's pool
        }
        if (device) await (device as GPUDevice).queue.onSubmittedWorkDone();
      },
      dispose: () => void session.release(),
    };
  }
  return {
    name: `forward ${cfg.preset} (B=${B}, T=${T}, V=${V})`,
    kind: 'forward',
    runners,
    check: { ok: worst <= TOLERANCE && Object.keys(runners).length > 1, detail: `logits (B·T·V = ${want.length}) vs ours: ${details.join('; ')}`, maxAbsDiff: worst },
  };
}
