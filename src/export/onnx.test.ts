// The ONNX export in Node: the graph's structure (opset, IR version, inputs and outputs with their
// symbolic shapes, every parameter an initializer), then the model run in onnxruntime-web's Node
// build (WASM) against the float64 reference on random weights, padding included.
import onnxProto from 'onnx-proto';
import { describe, expect, it } from 'vitest';
import { Rng } from '../data/prng.ts';
import { DEFAULT_ELECTRA, generatorDims, presetConfig, type ModelConfig } from '../model/config.ts';
import { paramSpecs } from '../model/layout.ts';
import { randomBatch } from '../model/random-batch.ts';
import { geluForward } from '../reference/gelu.ts';
import { embeddingsForward, layersForward, mlmHeadForward, paramLookup } from '../reference/passes.ts';
import { matmulForward } from '../reference/matmul.ts';
import { bertOnnx, discriminatorSpecs, electraDiscriminatorOnnx, electraGeneratorOnnx, generatorSpecs, ONNX_IR_VERSION, ONNX_OPSET } from './onnx.ts';
import { runOnnx } from './onnx-runtime.ts';

const { onnx } = onnxProto;

/** Random parameters of the given specs: weights N(0, 0.1), LayerNorm weights near 1, biases small. */
function randomParams(specs: { name: string; shape: number[] }[], seed: number): Map<string, Float32Array> {
  const rng = new Rng(seed, 3);
  const out = new Map<string, Float32Array>();
  for (const s of specs) {
    const n = s.shape.reduce((a, b) => a * b, 1);
    const isLnWeight = /ln\d?\.w$/.test(s.name);
    out.set(s.name, Float32Array.from({ length: n }, () => (isLnWeight ? 1 : 0) + 0.1 * rng.normal()));
  }
  return out;
}

const to64 = (p: Map<string, Float32Array>) => new Map([...p].map(([k, v]) => [k, Float64Array.from(v)]));

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

function dims(v: onnxProto.onnx.IValueInfoProto): (number | string)[] {
  return v.type!.tensorType!.shape!.dim!.map((d) => d.dimParam || Number(d.dimValue));
}

/** The decoded graph, its repeated fields non-null (protobufjs decodes absent ones as []). */
const graphOf = (m: onnxProto.onnx.ModelProto) => m.graph as onnxProto.onnx.GraphProto;

const micro = (): ModelConfig => presetConfig('bert-micro').model;
const V = 24;

describe('bertOnnx graph', () => {
  const model = micro();
  const params = randomParams(paramSpecs(model, V), 1);
  const decoded = onnx.ModelProto.decode(bertOnnx(params, model, V));
  const graph = graphOf(decoded);

  it('is opset 17, IR version 8, with int64 (batch, sequence) inputs', () => {
    expect(Number(decoded.irVersion)).toBe(ONNX_IR_VERSION);
    expect(decoded.opsetImport.map((o) => [o.domain, Number(o.version)])).toEqual([['', ONNX_OPSET]]);
    expect(decoded.metadataProps.find((m) => m.key === 'masklab.model')?.value).toBe(JSON.stringify(model));
    expect(graph.input.map((i) => [i.name, i.type!.tensorType!.elemType, dims(i)])).toEqual([
      ['input_ids', onnx.TensorProto.DataType.INT64, ['batch', 'sequence']],
      ['attention_mask', onnx.TensorProto.DataType.INT64, ['batch', 'sequence']],
    ]);
  });

  it('outputs logits (batch, sequence, V) and one attention map (batch, NH, sequence, sequence) per layer', () => {
    expect(graph.output.map((o) => [o.name, dims(o)])).toEqual([
      ['logits', ['batch', 'sequence', V]],
      ['attentions.0', ['batch', model.NH, 'sequence', 'sequence']],
      ['attentions.1', ['batch', model.NH, 'sequence', 'sequence']],
    ]);
    const without = onnx.ModelProto.decode(bertOnnx(params, model, V, { attentions: false }));
    expect(graphOf(without).output.map((o) => o.name)).toEqual(['logits']);
  });

  it('holds every parameter, and only parameters, as float32 initializers with their values', () => {
    const specs = paramSpecs(model, V);
    expect(graph.initializer.map((t) => t.name)).toEqual(specs.map((s) => s.name));
    for (const s of specs) {
      const t = graph.initializer.find((x) => x.name === s.name) as onnxProto.onnx.TensorProto;
      expect(t.dims.map(Number), s.name).toEqual(s.shape);
      expect(t.dataType).toBe(onnx.TensorProto.DataType.FLOAT);
      const raw = t.rawData;
      const values = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
      expect(values, s.name).toEqual(params.get(s.name));
    }
  });

  it('says which parameter is missing or misshapen', () => {
    const missing = new Map(params);
    missing.delete('l1.fc2.b');
    expect(() => bertOnnx(missing, model, V)).toThrow(/l1\.fc2\.b is missing/);
    const short = new Map(params).set('head.bias', new Float32Array(V - 1));
    expect(() => bertOnnx(short, model, V)).toThrow(/head\.bias has 23 values/);
  });
});

describe('bertOnnx in onnxruntime-web (Node, WASM) vs the float64 reference', () => {
  it('logits at every position and every attention map match to ≤ 1e-4, padding rows included', async () => {
    const model = micro();
    const B = 3;
    const T = 12; // a shorter sequence than model.T: the position table is sliced
    const params = randomParams(paramSpecs(model, V), 2);
    const { tokens: ids, mask } = randomBatch(B, T, V, 4);
    const run = await runOnnx(bertOnnx(params, model, V), { ids, mask, B, T }, { ep: 'wasm' });
    expect(run.ep).toBe('wasm');

    const p = paramLookup(to64(params));
    const { C, layerNormEps: eps } = model;
    const emb = embeddingsForward(p, 'emb.', ids, B, T, C, eps);
    const enc = layersForward(p, '', model, emb.ln.out, mask, B, T, eps);
    const positions = Uint32Array.from({ length: B * T }, (_, i) => i % T);
    const head = mlmHeadForward(p, 'head.', 'emb.wte', enc.out, positions, { B, T, P: T, C, E: C, V }, eps);
    const dLogits = maxAbsDiff(run.outputs.logits!, head.logits);
    const dAttn = Math.max(...enc.layers.map((layer, l) => maxAbsDiff(run.outputs[`attentions.${l}`]!, layer.probs)));
    console.log(`ONNX (ORT wasm, Node) vs float64 reference: logits max |Δ| ${dLogits.toExponential(2)}, attention max |Δ| ${dAttn.toExponential(2)}`);
    expect(dLogits).toBeLessThanOrEqual(1e-4);
    expect(dAttn).toBeLessThanOrEqual(1e-4);
    // Padding keys get exactly zero attention.
    const probs = run.outputs['attentions.0']!;
    for (let b = 0; b < B; b++) for (let h = 0; h < model.NH; h++) for (let q = 0; q < T; q++) for (let k = 0; k < T; k++) if (!mask[b * T + k]) expect(probs[((b * model.NH + h) * T + q) * T + k]).toBe(0);
  }, 60_000); // the first test starts onnxruntime's WASM: seconds on a busy machine

  it('fetches only the logits when asked; a row of padding only gets zero attention, not NaN', async () => {
    const model = micro();
    const params = randomParams(paramSpecs(model, V), 3);
    const ids = Uint32Array.from([2, 7, 9, 3, 0, 0, 0, 0]);
    const mask = Uint32Array.from([1, 1, 1, 1, 0, 0, 0, 0]);
    const bytes = bertOnnx(params, model, V);
    const only = await runOnnx(bytes, { ids, mask, B: 2, T: 4 }, { ep: 'wasm', outputs: ['logits'] });
    expect(Object.keys(only.outputs)).toEqual(['logits']);
    expect(only.outputs.logits).toHaveLength(2 * 4 * V);
    const all = await runOnnx(bytes, { ids, mask, B: 2, T: 4 }, { ep: 'wasm' });
    expect(all.outputs.logits).toEqual(only.outputs.logits);
    expect(all.outputs['attentions.1']!.subarray(model.NH * 16).every((x) => x === 0)).toBe(true);
    expect(all.outputs.logits!.every(Number.isFinite)).toBe(true);
  });

  it('says what to do when the sequence is longer than the position table', async () => {
    const model = micro();
    const T = model.T + 1;
    const bytes = bertOnnx(randomParams(paramSpecs(model, V), 4), model, V);
    await expect(runOnnx(bytes, { ids: new Uint32Array(T).fill(5), mask: new Uint32Array(T).fill(1), B: 1, T }, { ep: 'wasm' })).rejects.toThrow(/at most the run's T/);
  });
});

describe('electraDiscriminatorOnnx', () => {
  it('reads emb.* and disc.*, outputs (batch, sequence) logits matching the float64 reference to ≤ 1e-4', async () => {
    const model = micro();
    const B = 2;
    const T = model.T;
    const specs = discriminatorSpecs(model, V);
    expect(specs.every((s) => s.name.startsWith('emb.') || s.name.startsWith('disc.'))).toBe(true);
    const params = randomParams(specs, 5);
    params.set('gen.head.bias', new Float32Array(V)); // generator parameters are ignored
    const bytes = electraDiscriminatorOnnx(params, model, V);
    const graph = graphOf(onnx.ModelProto.decode(bytes));
    expect(graph.output.map((o) => [o.name, dims(o)])[0]).toEqual(['logits', ['batch', 'sequence']]);
    expect(graph.initializer.map((t) => t.name)).toEqual(specs.map((s) => s.name));

    const { tokens: ids, mask } = randomBatch(B, T, V, 6);
    const run = await runOnnx(bytes, { ids, mask, B, T }, { ep: 'wasm', outputs: ['logits'] });
    const p = paramLookup(to64(params));
    const { C, layerNormEps: eps } = model;
    const emb = embeddingsForward(p, 'emb.', ids, B, T, C, eps);
    const enc = layersForward(p, 'disc.', model, emb.ln.out, mask, B, T, eps);
    const h = geluForward(matmulForward(enc.out, p('disc.head.dense.w'), p('disc.head.dense.b'), B * T, C, C));
    const ref = matmulForward(h, p('disc.head.out.w'), p('disc.head.out.b'), B * T, C, 1);
    const d = maxAbsDiff(run.outputs.logits!, ref);
    console.log(`ELECTRA discriminator ONNX vs float64 reference: logits max |Δ| ${d.toExponential(2)}`);
    expect(d).toBeLessThanOrEqual(1e-4);
  });
});

describe('electraGeneratorOnnx', () => {
  // genFraction 0.25: C_g = 8 < E = 32, so the tables are projected; 1: C_g = E, no projection.
  for (const genFraction of [0.25, 1]) {
    for (const tiedEmbeddings of [true, false]) {
      it(`genFraction ${genFraction}, ${tiedEmbeddings ? 'tied' : 'untied'} embeddings: logits (batch, sequence, V) match the float64 reference to ≤ 1e-4`, async () => {
        const model = micro();
        const electra = { ...DEFAULT_ELECTRA, genFraction, tiedEmbeddings };
        const gd = generatorDims(model, genFraction);
        const genEmb = tiedEmbeddings ? 'emb.' : 'gen.emb.';
        const project = gd.C !== model.C;
        const B = 2;
        const T = 10;
        const specs = generatorSpecs(model, electra, V);
        expect(specs.every((s) => s.name.startsWith('gen.') || s.name.startsWith(genEmb))).toBe(true);
        expect(specs.some((s) => s.name === 'gen.emb.proj.w')).toBe(project);
        const params = randomParams(specs, 7);
        params.set('disc.head.out.b', new Float32Array(1)); // discriminator parameters are ignored
        const bytes = electraGeneratorOnnx(params, model, electra, V);
        const graph = graphOf(onnx.ModelProto.decode(bytes));
        expect(graph.output.map((o) => [o.name, dims(o)])).toEqual([
          ['logits', ['batch', 'sequence', V]],
          ...Array.from({ length: gd.L }, (_, l) => [`attentions.${l}`, ['batch', gd.NH, 'sequence', 'sequence']]),
        ]);
        expect(graph.initializer.map((t) => t.name)).toEqual(specs.map((s) => s.name));

        const { tokens: ids, mask } = randomBatch(B, T, V, 8);
        const run = await runOnnx(bytes, { ids, mask, B, T }, { ep: 'wasm', outputs: ['logits'] });
        const p = paramLookup(to64(params));
        const { C, layerNormEps: eps } = model;
        const emb = embeddingsForward(p, genEmb, ids, B, T, C, eps);
        const x0 = project ? matmulForward(emb.ln.out, p('gen.emb.proj.w'), p('gen.emb.proj.b'), B * T, C, gd.C) : emb.ln.out;
        const enc = layersForward(p, 'gen.', gd, x0, mask, B, T, eps);
        const positions = Uint32Array.from({ length: B * T }, (_, i) => i % T);
        const head = mlmHeadForward(p, 'gen.head.', `${genEmb}wte`, enc.out, positions, { B, T, P: T, C: gd.C, E: C, V }, eps);
        const d = maxAbsDiff(run.outputs.logits!, head.logits);
        console.log(`ELECTRA generator ONNX (genFraction ${genFraction}, ${tiedEmbeddings ? 'tied' : 'untied'}) vs float64 reference: logits max |Δ| ${d.toExponential(2)}`);
        expect(d).toBeLessThanOrEqual(1e-4);
      });
    }
  }

  it('refuses a uniform generator, which has nothing to export', () => {
    expect(() => electraGeneratorOnnx(new Map(), micro(), { ...DEFAULT_ELECTRA, uniformGenerator: true }, V)).toThrow(/uniform generator \(RTS\) has no parameters/);
  });
});
