// Runs an exported model (onnx.ts) in onnxruntime-web, for the app's "check the export" step and
// for tests. ORT is imported dynamically, so the app bundle loads it (and its ~28 MB wasm) only
// when someone runs a model. The wasm binary comes from our own server, never a CDN: in a
// browser or worker the `?url` import makes Vite serve it (dev) or emit it into dist/assets
// (build), and env.wasm.wasmPaths points ORT at it. Under Node, `onnxruntime-web` resolves to its
// `node` export, which loads its own wasm from node_modules, so nothing is set there.
// One thread: the page is not cross-origin isolated, so ORT could not share memory with workers.
// What it does not do: build models, touch the DOM (only navigator.gpu; this also runs in a Web
// Worker and under Node), or keep sessions between calls.

import type * as Ort from 'onnxruntime-web';

export type OnnxEp = 'webgpu' | 'wasm';

export interface OnnxFeeds {
  /** (B,T) token ids and attention mask (1 = real token, 0 = padding). */
  ids: Uint32Array;
  mask: Uint32Array;
  B: number;
  T: number;
}

export interface OnnxRun {
  /** Each fetched output, flat in its ONNX shape (logits (B,T,V), attentions.l (B,NH,T,T)). */
  outputs: Record<string, Float32Array>;
  /** The execution provider that ran it. */
  ep: string;
  /** Why the WebGPU EP was asked for but WASM ran, if it was. */
  fallback?: string;
}

let ortPromise: Promise<typeof Ort> | null = null;

const isNode = (): boolean => Boolean((globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node);

/** The ORT module, configured once: one wasm thread, wasm from our server. */
export function loadOrt(): Promise<typeof Ort> {
  ortPromise ??= (async () => {
    const ort = await import('onnxruntime-web');
    ort.env.wasm.numThreads = 1;
    // Not 'warning': the WebGPU EP warns on every session that shape ops run on the CPU (by design).
    ort.env.logLevel = 'error';
    if (!isNode()) {
      // The JSEP build (WASM + WebGPU EPs) is the one the default `onnxruntime-web` entry
      // (dist/ort.bundle.min.mjs) loads; its JS glue is bundled, so only the .wasm is fetched.
      const { default: wasmUrl } = await import('onnxruntime-web/ort-wasm-simd-threaded.jsep.wasm?url');
      ort.env.wasm.wasmPaths = { wasm: new URL(wasmUrl, import.meta.url).href };
    }
    return ort;
  })();
  ortPromise.catch(() => (ortPromise = null)); // a failed load (offline dev server) may be retried
  return ortPromise;
}

/** WebGPU when this context has it (the session may still fail: runOnnx then falls back), else WASM. */
export function chooseEp(): { ep: OnnxEp; reason: string } {
  const nav = (globalThis as { navigator?: { gpu?: unknown } }).navigator;
  return nav?.gpu ? { ep: 'webgpu', reason: 'navigator.gpu is available' } : { ep: 'wasm', reason: 'no WebGPU in this context (navigator.gpu is missing)' };
}

async function createSession(ort: typeof Ort, bytes: Uint8Array, ep: OnnxEp): Promise<Ort.InferenceSession> {
  return ort.InferenceSession.create(bytes, { executionProviders: [ep], graphOptimizationLevel: 'all' });
}

/**
 * Runs `bytes` (an ONNX model with int64 inputs input_ids and attention_mask (B,T)) on one batch
 * and returns the float outputs named in `opts.outputs` (default: every graph output). With ep
 * 'webgpu', a session that fails to create falls back to WASM and says why in `fallback`.
 */
export async function runOnnx(bytes: Uint8Array, feeds: OnnxFeeds, opts: { ep: OnnxEp; outputs?: string[] }): Promise<OnnxRun> {
  const { ids, mask, B, T } = feeds;
  if (ids.length !== B * T || mask.length !== B * T) throw new Error(`runOnnx: ids and mask must hold B·T = ${B * T} values (got ${ids.length} and ${mask.length}).`);
  const ort = await loadOrt();
  let ep: OnnxEp = opts.ep;
  let fallback: string | undefined;
  let session: Ort.InferenceSession;
  try {
    session = await createSession(ort, bytes, ep);
  } catch (e) {
    if (ep !== 'webgpu') throw e;
    fallback = `the WebGPU execution provider failed (${e instanceof Error ? e.message : String(e)}); ran on WASM instead`;
    ep = 'wasm';
    session = await createSession(ort, bytes, ep);
  }
  try {
    const int64 = (a: Uint32Array) => new ort.Tensor('int64', BigInt64Array.from(a, (v) => BigInt(v)), [B, T]);
    const names = opts.outputs ?? [...session.outputNames];
    const result = await session.run({ input_ids: int64(ids), attention_mask: int64(mask) }, names).catch((e: unknown) => {
      // The likeliest cause with our exports: a sequence longer than the position table.
      throw new Error(`onnxruntime-web could not run the model on a (${B}, ${T}) batch: ${e instanceof Error ? e.message : String(e)}. masklab models take sequences of at most the run's T.`);
    });
    const outputs: Record<string, Float32Array> = {};
    for (const name of names) {
      const t = result[name];
      if (!t || t.type !== 'float32') throw new Error(`runOnnx: output ${name} is missing or not float32 (model outputs: ${session.outputNames.join(', ')}).`);
      outputs[name] = (await t.getData(true)) as Float32Array;
    }
    return { outputs, ep, ...(fallback ? { fallback } : {}) };
  } finally {
    await session.release();
  }
}
