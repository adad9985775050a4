// The engine's side of export: the current weights read off the GPU and handed to the pure
// exporters (Hugging Face folder, ONNX), our own logits on the probe sentence (probe.json), and
// the check that onnxruntime-web computes what our kernels compute. Runs between steps.

import { hfFolder, type HfExportInput } from '../export/hf.ts';
import type { CardProbe } from '../export/model-card.ts';
import { bestLayer, initialProbe, taskScores } from './probe-report.ts';
import { objectiveOf } from '../objectives/registry.ts';
import { runtimeOf } from './objective-runtime.ts';
import { chooseEp, runOnnx } from '../export/onnx-runtime.ts';
import { StepEncoder } from '../gpu/step-encoder.ts';
import { readF32 } from '../gpu/readback.ts';
import { readParams } from '../model/bert.ts';
import type { ExportCheck, ExportFormat } from './protocol.ts';
import type { TrainingSession } from './session.ts';
import { encodeProbe, uploadProbe } from './views.ts';

/** The largest |ONNX − ours| the check accepts (the bar; float32 reassociation is ~1e-6). */
export const EXPORT_TOLERANCE = 1e-3;

/** What the probe check compares: BERT's MLM logits at `positions`, or ELECTRA's discriminator logit per token. */
export interface ProbeLogits {
  text: string;
  tokens: string[];
  ids: number[];
  output: 'mlm-logits' | 'discriminator-logits';
  /** Token positions with logits: every token of the probe (BERT: as many as the batch's B·P head slots hold). */
  positions: number[];
  /** (positions, V) for MLM, (positions) for the discriminator. */
  logits: Float32Array;
  V: number;
  /** ELECTRA with a generator: its MLM logits (positions, V) at `positions` (as many as the B·P head slots hold). */
  generator?: { positions: number[]; logits: Float32Array };
}

/** Our engine's logits on the probe sentence (one forward, like the probe view's). */
export async function probeLogits(s: TrainingSession, text: string): Promise<ProbeLogits> {
  const m = s.model;
  const { B, P, V } = m.shape;
  const T = s.config.model.T;
  const tok = s.dataset.tokenizer;
  const { ids } = encodeProbe(text, tok, T);
  const n = ids.length;
  const all = [...ids.keys()];
  const disc = m.views.disc;
  // The MLM head (BERT's, ELECTRA's generator's) scores P slots per row: the probe goes into every
  // row, and position i is scored in row ⌊i/P⌋, slot i mod P, so slot index i holds position i
  // (B·P ≥ T in every preset).
  const mlmPositions = all.slice(0, B * P);
  const slots = new Uint32Array(B * P);
  const weights = new Float32Array(B * P);
  mlmPositions.forEach((pos, i) => ((slots[i] = pos), (weights[i] = 1)));
  uploadProbe(m, ids, T, slots, weights);
  const enc = new StepEncoder(s.gpu, { label: 'export probe' });
  m.recordPredict(enc);
  enc.submit();
  const mlmLogits = async () => (await readF32(s.gpu, m.t(m.views.logits!))).slice(0, mlmPositions.length * V);
  const base = { text, tokens: Array.from(ids, (id) => tok.idToToken(id)), ids: Array.from(ids), V };
  if (disc) {
    const logits = (await readF32(s.gpu, m.t(disc.logits))).slice(0, n);
    const generator = m.views.logits ? { positions: mlmPositions, logits: await mlmLogits() } : undefined;
    return { ...base, output: 'discriminator-logits', positions: all, logits, ...(generator ? { generator } : {}) };
  }
  return { ...base, output: 'mlm-logits', positions: mlmPositions, logits: await mlmLogits() };
}

/** (positions, V) logits as one array per position, for probe.json. */
const rowsOf = (logits: Float32Array, positions: number[], V: number) => positions.map((_, i) => Array.from(logits.subarray(i * V, (i + 1) * V)));

async function onnxOf(s: TrainingSession, params: Map<string, Float32Array>): Promise<Uint8Array> {
  const { onnx } = await runtimeOf(s.config.objective);
  if (!onnx) throw new Error(`${objectiveOf(s.config.objective).tag} has no ONNX graph yet: export a checkpoint instead.`);
  return onnx(params, s.config.model, s.model.shape.V);
}

const enc = (v: unknown) => new TextEncoder().encode(JSON.stringify(v, null, 1) + '\n');
const own = (b: Uint8Array): ArrayBuffer => (b.byteOffset === 0 && b.byteLength === b.buffer.byteLength ? (b.buffer as ArrayBuffer) : (b.slice().buffer as ArrayBuffer));

/** hf/… (Hugging Face folder), model.onnx, probe.json: path → bytes. */
export async function exportFiles(s: TrainingSession, formats: ExportFormat[], probe: string): Promise<{ path: string; bytes: ArrayBuffer }[]> {
  const params = await readParams(s.gpu, s.model);
  const files: { path: string; bytes: ArrayBuffer }[] = [];
  if (formats.includes('hf')) {
    for (const [path, bytes] of Object.entries(hfFolder(hfInput(s, params)))) files.push({ path: `hf/${path}`, bytes: own(bytes) });
  }
  if (formats.includes('onnx')) files.push({ path: 'model.onnx', bytes: own(await onnxOf(s, params)) });
  if (formats.includes('probe')) {
    const p = await probeLogits(s, probe);
    const rows = p.output === 'mlm-logits' ? rowsOf(p.logits, p.positions, p.V) : Array.from(p.logits);
    const generator = p.generator ? { generator: { output: 'mlm-logits', positions: p.generator.positions, logits: rowsOf(p.generator.logits, p.generator.positions, p.V) } } : {};
    files.push({ path: 'probe.json', bytes: own(enc({ step: s.step, preset: s.config.preset, text: p.text, tokens: p.tokens, input_ids: p.ids, output: p.output, positions: p.positions, logits: rows, ...generator })) });
  }
  return files;
}

/** The objective's Hugging Face folder; throws when it has none (the panel offers no such export). */
function hfLayoutOf(objective: string) {
  const o = objectiveOf(objective);
  if (!o.hfLayout) throw new Error(`${o.tag} has no Hugging Face model class yet: save a checkpoint instead.`);
  return o.hfLayout;
}

/** What the Hugging Face folder and its model card need from the session. */
function hfInput(s: TrainingSession, params: Map<string, Float32Array>): HfExportInput {
  const tok = s.dataset.tokenizer;
  const st = s.dataset.stats;
  return {
    layout: hfLayoutOf(s.config.objective),
    model: s.config.model,
    electra: s.config.electra,
    params,
    vocabText: tok.toVocabText(),
    lowercase: tok.lowercase,
    tokenizerKind: tok.kind,
    maxWordChars: tok.maxWordChars,
    run: {
      config: s.config,
      step: s.step,
      lastEval: s.history.evals.at(-1) ?? null,
      ...cardProbe(s),
      // Synthetic tasks have no documents: their sizes say nothing a card reader needs.
      ...(st.trainDocs > 0 ? { data: { trainDocs: st.trainDocs, heldOutDocs: st.heldOutDocs, trainTokens: st.trainTokens, heldOutTokens: st.heldOutTokens } } : {}),
    },
  };
}

/** The last probe's best layer per task, beside the untrained model (step 0) and the majority class. */
function cardProbe(s: TrainingSession): { probe: CardProbe } | Record<string, never> {
  const info = s.info.probe;
  const last = s.history.probes.at(-1);
  if ('unavailable' in info || !last) return {};
  const init = initialProbe(s.history.probes);
  const tasks = info.tasks.flatMap((t) => {
    const now = taskScores(last, t.id);
    if (!now) return [];
    const b = bestLayer(now);
    const at0 = init && taskScores(init, t.id);
    return [{ label: t.label, layer: info.layers[b.layer]!, accuracy: b.score.accuracy, initial: at0 ? bestLayer(at0).score.accuracy : null, majority: t.majority.accuracy }];
  });
  return { probe: { step: last.step, tasks } };
}

/** Exports ONNX, runs it in onnxruntime-web (WebGPU EP when there is one, else WASM) on the probe, and compares with our logits. */
export async function verifyExport(s: TrainingSession, text: string, ep = chooseEp().ep): Promise<ExportCheck> {
  const t0 = performance.now();
  const params = await readParams(s.gpu, s.model);
  const ours = await probeLogits(s, text);
  const bytes = await onnxOf(s, params);
  const n = ours.ids.length;
  const run = await runOnnx(bytes, { ids: Uint32Array.from(ours.ids), mask: new Uint32Array(n).fill(1), B: 1, T: n }, { ep, outputs: ['logits'] });
  const theirs = run.outputs.logits!; // (1, n, V) or (1, n)
  const V = ours.V;
  let worst = 0;
  let values = 0;
  ours.positions.forEach((pos, i) => {
    if (ours.output === 'discriminator-logits') {
      worst = Math.max(worst, Math.abs(theirs[pos]! - ours.logits[pos]!));
      values++;
      return;
    }
    for (let v = 0; v < V; v++) worst = Math.max(worst, Math.abs(theirs[pos * V + v]! - ours.logits[i * V + v]!));
    values += V;
  });
  // NaN anywhere must fail the check, not pass it silently.
  if (!Number.isFinite(worst)) worst = Infinity;
  return {
    step: s.step,
    ep: run.ep,
    ...(run.fallback ? { fallback: run.fallback } : {}),
    output: ours.output === 'mlm-logits' ? `MLM logits at ${ours.positions.length} positions` : `discriminator logits at ${n} tokens`,
    positions: ours.positions,
    values,
    maxAbsDiff: worst,
    tolerance: EXPORT_TOLERANCE,
    onnxBytes: bytes.byteLength,
    ms: performance.now() - t0,
  };
}
