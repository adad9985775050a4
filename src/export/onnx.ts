// ONNX export of our BERT MLM (and ELECTRA's discriminator and generator) for onnxruntime and any
// other ONNX runtime: opset 17, IR version 8, built with onnx-proto (protobufjs), never by hand.
// Inputs `input_ids` and `attention_mask`, int64 (batch, sequence) with sequence ≤ T; no
// token_type_ids input (our models only ever use type 0). The graph computes what the GPU model
// computes (src/model/bert.ts; float64 twin src/reference/passes.ts), op for op:
//   emb   x = LN(wte[id] + wpe[t] + wtt[0])                      rows (N = batch·sequence, C)
//   layer qkv = x·Wᵀ+b → per head softmax(QKᵀ/√HS + mask) · V → proj → LN1(x + ·)
//         → fc1 → GELU (erf) → fc2 → LN2(x1 + ·)
//   head  MLM: LN(GELU(x·denseᵀ+b))·wteᵀ + bias at every position; disc: GELU(dense) → out.
// ELECTRA's generator is the same MLM graph on its own encoder (`gen.` prefix, generator dims),
// reading its embedding tables (shared `emb.` or its own `gen.emb.`), projected E → C_g when
// narrower (`gen.emb.proj`).
// Initializers are exactly our parameters under our names and shapes (float32, raw little-endian
// bytes): Linear weights stay (out, in) and Gemm's transB reads them, so nothing is transposed at
// export. Small constants are Constant nodes, so the initializer list is the parameter list.
// What it does not do: run the model (onnx-runtime.ts), use Hugging Face names (hf.ts does), or
// quantize.

import onnxProto from 'onnx-proto';
import { DEFAULT_ELECTRA, type ElectraConfig, type ModelConfig } from '../model/config.ts';
import { electraSpecs, generatorPlan } from '../model/electra-layout.ts';
import { paramSpecs, type EncoderDims, type ParamSpec } from '../model/layout.ts';

const { onnx } = onnxProto;
type Attr = onnxProto.onnx.IAttributeProto;
type Tensor = onnxProto.onnx.ITensorProto;
type Node = onnxProto.onnx.INodeProto;
type ValueInfo = onnxProto.onnx.IValueInfoProto;
const DT = onnx.TensorProto.DataType;
const AT = onnx.AttributeProto.AttributeType;

export const ONNX_OPSET = 17;
export const ONNX_IR_VERSION = 8;
/**
 * Added to the scores of padding keys: softmax's exp(score − 1e9 − max) underflows to exactly 0
 * in float32 whenever the row has one real key (|scores| ≪ 1e9). Finite, unlike −∞, so a row of
 * padding only does not turn into NaN; that row is then zeroed by the mask product, as our kernels do.
 */
const MASK_BIAS = 1e9;

const int = (name: string, i: number): Attr => ({ name, type: AT.INT, i });
const ints = (name: string, v: number[]): Attr => ({ name, type: AT.INTS, ints: v });
const float = (name: string, f: number): Attr => ({ name, type: AT.FLOAT, f });

/** float32 tensor (dims) as raw little-endian bytes (ONNX's byte order on every platform). */
function floatTensor(name: string, dims: number[], data: ArrayLike<number>): Tensor {
  const raw = new Uint8Array(4 * data.length);
  const view = new DataView(raw.buffer);
  for (let i = 0; i < data.length; i++) view.setFloat32(4 * i, data[i]!, true);
  return { name, dims, dataType: DT.FLOAT, rawData: raw };
}

function int64Tensor(name: string, dims: number[], data: number[]): Tensor {
  const raw = new Uint8Array(8 * data.length);
  const view = new DataView(raw.buffer);
  data.forEach((v, i) => view.setBigInt64(8 * i, BigInt(v), true));
  return { name, dims, dataType: DT.INT64, rawData: raw };
}

/** A (batch, sequence, …) tensor's value info; string dims are symbolic. */
function valueInfo(name: string, elemType: number, dims: (number | string)[]): ValueInfo {
  const dim = dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d }));
  return { name, type: { tensorType: { elemType, shape: { dim } } } };
}

/** Nodes in topological order (the order they are added), with unique readable value names. */
class GraphBuilder {
  readonly nodes: Node[] = [];
  private readonly used = new Set<string>();

  /** One node with one output; returns the output's name (`name`, made unique if needed). */
  op(opType: string, inputs: string[], name: string, attribute: Attr[] = []): string {
    let out = name;
    for (let k = 1; this.used.has(out); k++) out = `${name}_${k}`;
    this.used.add(out);
    this.nodes.push({ opType, input: inputs, output: [out], name: out, attribute });
    return out;
  }

  constFloat(name: string, dims: number[], values: number[]): string {
    return this.op('Constant', [], name, [{ name: 'value', type: AT.TENSOR, t: floatTensor('', dims, values) }]);
  }

  constInt64(name: string, dims: number[], values: number[]): string {
    return this.op('Constant', [], name, [{ name: 'value', type: AT.TENSOR, t: int64Tensor('', dims, values) }]);
  }

  /** x (N,in) · wᵀ (in,out) + b → (N,out): our Linear convention, w stored (out, in). */
  linear(x: string, w: string, b: string, name: string): string {
    return this.op('Gemm', [x, w, b], name, [int('transB', 1)]);
  }

  layerNorm(x: string, prefix: string, eps: number, name: string): string {
    return this.op('LayerNormalization', [x, `${prefix}.w`, `${prefix}.b`], name, [int('axis', -1), float('epsilon', eps)]);
  }

  /** Exact GELU, 0.5·x·(1 + erf(x/√2)): opset 17 has Erf but no Gelu (that is opset 20). */
  gelu(x: string, name: string): string {
    const e = this.op('Erf', [this.op('Mul', [x, this.constFloat(`${name}.inv_sqrt2`, [], [Math.SQRT1_2])], `${name}.scaled`)], `${name}.erf`);
    const onePlus = this.op('Add', [e, this.constFloat(`${name}.one`, [], [1])], `${name}.one_plus`);
    return this.op('Mul', [this.op('Mul', [x, onePlus], `${name}.x_one_plus`), this.constFloat(`${name}.half`, [], [0.5])], name);
  }
}

/** The shared front of every exported encoder: shapes and the attention mask, once per graph. */
interface Front {
  /** Shape(input_ids) = [batch, sequence], int64 (2). */
  shapeBS: string;
  /** (batch, 1, 1, sequence) float: 1 = real key, 0 = padding. */
  keep: string;
  /** (batch, 1, 1, sequence) float: 0 for real keys, −MASK_BIAS for padding. */
  bias: string;
}

function front(g: GraphBuilder): Front {
  const shapeBS = g.op('Shape', ['input_ids'], 'shape_bs');
  // Cast via bool: any nonzero mask value is a real token, as in our kernels (mask ≠ 0).
  const maskF = g.op('Cast', [g.op('Cast', ['attention_mask'], 'mask_bool', [int('to', DT.BOOL)])], 'mask_f', [int('to', DT.FLOAT)]);
  const keep = g.op('Unsqueeze', [maskF, g.constInt64('mask_axes', [2], [1, 2])], 'mask_keep');
  const bias = g.op('Mul', [g.op('Sub', [keep, g.constFloat('one', [], [1])], 'mask_minus_one'), g.constFloat('mask_bias', [], [MASK_BIAS])], 'mask_bias_add');
  return { shapeBS, keep, bias };
}

/** input_ids (B,S) → LN(wte[id] + wpe[0..S) + wtt[0]) as rows (B·S, C). */
function embeddings(g: GraphBuilder, prefix: string, C: number, eps: number): string {
  const tok = g.op('Gather', [`${prefix}wte`, 'input_ids'], 'emb.tok', [int('axis', 0)]);
  const seq = g.op('Shape', ['input_ids'], 'shape_s', [int('start', 1), int('end', 2)]);
  const pos = g.op('Slice', [`${prefix}wpe`, g.constInt64('zero_1', [1], [0]), seq, g.constInt64('axis0_1', [1], [0])], 'emb.pos');
  const tt = g.op('Gather', [`${prefix}wtt`, g.constInt64('zero', [], [0])], 'emb.type0', [int('axis', 0)]);
  const sum = g.op('Add', [g.op('Add', [tok, pos], 'emb.tok_pos'), tt], 'emb.sum');
  const ln = g.layerNorm(sum, `${prefix}ln`, eps, 'emb.ln');
  return g.op('Reshape', [ln, g.constInt64('rows_c', [2], [-1, C])], 'emb.rows');
}

/**
 * L post-LN layers of dims d on rows x (B·S, C) → (B·S, C). Each layer's attention probabilities
 * (B, NH, S, S) are named `${probsName}${l}` so the caller can expose them as graph outputs.
 */
function layers(g: GraphBuilder, f: Front, x0: string, prefix: string, d: EncoderDims, eps: number, probsName: string): string {
  const { L, C, NH } = d;
  const HS = C / NH;
  const shapeQkv = g.op('Concat', [f.shapeBS, g.constInt64('qkv_tail', [3], [3, NH, HS])], 'shape_qkv', [int('axis', 0)]);
  const rowsC = g.constInt64('att_rows_c', [2], [-1, C]);
  const scale = g.constFloat('att_scale', [], [1 / Math.sqrt(HS)]);
  const part = [0, 1, 2].map((k) => g.constInt64(`qkv_part${k}`, [], [k]));
  let x = x0;
  for (let l = 0; l < L; l++) {
    const p = `${prefix}l${l}.`;
    const qkv = g.op('Reshape', [g.linear(x, `${p}qkv.w`, `${p}qkv.b`, `${p}qkv`), shapeQkv], `${p}qkv5`); // (B,S,3,NH,HS)
    const head = (k: number, perm: number[], name: string) => g.op('Transpose', [g.op('Gather', [qkv, part[k]!], `${p}${name}.bsnh`, [int('axis', 2)])], `${p}${name}`, [ints('perm', perm)]);
    const q = head(0, [0, 2, 1, 3], 'q'); // (B,NH,S,HS)
    const kT = head(1, [0, 2, 3, 1], 'kT'); // (B,NH,HS,S)
    const v = head(2, [0, 2, 1, 3], 'v'); // (B,NH,S,HS)
    const scores = g.op('Add', [g.op('Mul', [g.op('MatMul', [q, kT], `${p}qk`), scale], `${p}qk_scaled`), f.bias], `${p}scores`);
    const soft = g.op('Softmax', [scores], `${p}softmax`, [int('axis', -1)]);
    const probs = g.op('Mul', [soft, f.keep], `${probsName}${l}`); // (B,NH,S,S)
    const ctx = g.op('Transpose', [g.op('MatMul', [probs, v], `${p}att_bnsh`)], `${p}att_bsnh`, [ints('perm', [0, 2, 1, 3])]);
    const att = g.op('Reshape', [ctx, rowsC], `${p}att`); // heads concatenated: (B·S, C)
    const res1 = g.op('Add', [x, g.linear(att, `${p}proj.w`, `${p}proj.b`, `${p}proj`)], `${p}res1`);
    const x1 = g.layerNorm(res1, `${p}ln1`, eps, `${p}ln1.out`);
    const fc1 = g.gelu(g.linear(x1, `${p}fc1.w`, `${p}fc1.b`, `${p}fc1.pre`), `${p}fc1.out`);
    const res2 = g.op('Add', [x1, g.linear(fc1, `${p}fc2.w`, `${p}fc2.b`, `${p}fc2`)], `${p}res2`);
    x = g.layerNorm(res2, `${p}ln2`, eps, `${p}ln2.out`);
  }
  return x;
}

/**
 * MLM head on rows x (B·S, C): LN(GELU(x·denseᵀ + b)) (B·S, E) · wteᵀ + bias → `logits`
 * (batch, sequence, V), the decoder tied to the token embedding `wte` (V, E).
 */
function mlmHead(g: GraphBuilder, f: Front, x: string, prefix: string, wte: string, V: number, eps: number): void {
  const dense = g.gelu(g.linear(x, `${prefix}dense.w`, `${prefix}dense.b`, `${prefix}dense.pre`), `${prefix}dense.out`);
  const h = g.layerNorm(dense, `${prefix}ln`, eps, `${prefix}ln.out`);
  const rows = g.linear(h, wte, `${prefix}bias`, `${prefix}logits`);
  const shapeLogits = g.op('Concat', [f.shapeBS, g.constInt64('v', [1], [V])], 'shape_logits', [int('axis', 0)]);
  g.op('Reshape', [rows, shapeLogits], 'logits');
}

/** `logits` (batch, sequence, V), then `attentions.l` (batch, NH, sequence, sequence) if asked. */
function mlmOutputs(V: number, d: EncoderDims, attentions: boolean): ValueInfo[] {
  const outputs = [valueInfo('logits', DT.FLOAT, ['batch', 'sequence', V])];
  if (attentions) for (let l = 0; l < d.L; l++) outputs.push(valueInfo(`attentions.${l}`, DT.FLOAT, ['batch', d.NH, 'sequence', 'sequence']));
  return outputs;
}

/** Our parameters, checked against the specs, as float32 initializers under their own names. */
function initializers(specs: ParamSpec[], params: ReadonlyMap<string, Float32Array>): Tensor[] {
  return specs.map((s) => {
    const v = params.get(s.name);
    const n = s.shape.reduce((a, b) => a * b, 1);
    if (!v) throw new Error(`ONNX export: parameter ${s.name} is missing; export the parameters read from the model being exported.`);
    if (v.length !== n) throw new Error(`ONNX export: parameter ${s.name} has ${v.length} values, its shape [${s.shape.join(', ')}] needs ${n}.`);
    return floatTensor(s.name, s.shape, v);
  });
}

function encodeModel(g: GraphBuilder, name: string, inits: Tensor[], outputs: ValueInfo[], doc: string, meta: Record<string, unknown>): Uint8Array {
  const inputs = ['input_ids', 'attention_mask'].map((n) => valueInfo(n, DT.INT64, ['batch', 'sequence']));
  const model = onnx.ModelProto.create({
    irVersion: ONNX_IR_VERSION,
    opsetImport: [{ domain: '', version: ONNX_OPSET }],
    producerName: 'masklab',
    docString: doc,
    metadataProps: Object.entries(meta).map(([key, value]) => ({ key: `masklab.${key}`, value: JSON.stringify(value) })),
    graph: { name, node: g.nodes, initializer: inits, input: inputs, output: outputs },
  });
  return onnx.ModelProto.encode(model).finish();
}

/**
 * The BERT MLM as ONNX: params (our names, paramSpecs(model, V) shapes) → model bytes.
 * Inputs: input_ids, attention_mask int64 (batch, sequence), sequence ≤ model.T.
 * Outputs: `logits` float (batch, sequence, V) at every position; with `attentions` (default
 * true) also `attentions.0` … `attentions.{L−1}` float (batch, NH, sequence, sequence), each
 * layer's softmax probabilities (padding keys exactly 0). The attention outputs are optional in
 * the onnxruntime sense: a caller that fetches only `logits` (run(feeds, ['logits'])) gets only
 * that, and `attentions: false` leaves them out of the graph's outputs altogether.
 */
export function bertOnnx(params: ReadonlyMap<string, Float32Array>, model: ModelConfig, V: number, opts: { attentions?: boolean } = {}): Uint8Array {
  const { L, C, NH, layerNormEps: eps } = model;
  const attentions = opts.attentions ?? true;
  const g = new GraphBuilder();
  const f = front(g);
  const x = layers(g, f, embeddings(g, 'emb.', C, eps), '', model, eps, 'attentions.');
  mlmHead(g, f, x, 'head.', 'emb.wte', V, eps);
  const outputs = mlmOutputs(V, model, attentions);
  const doc = `masklab BERT MLM (post-LN, L=${L} C=${C} NH=${NH} FFN=${model.FFN} T=${model.T} V=${V}). input_ids, attention_mask: int64 (batch, sequence ≤ ${model.T}). logits: (batch, sequence, V) at every position${attentions ? '; attentions.l: (batch, NH, sequence, sequence) softmax probabilities, fetch them only if needed' : ''}.`;
  return encodeModel(g, 'masklab_bert_mlm', initializers(paramSpecs(model, V), params), outputs, doc, { model, V, kind: 'bert-mlm' });
}

/**
 * The parameters ELECTRA's discriminator reads (shared `emb.*`, `disc.l*`, `disc.head.*`): the
 * ELECTRA layout of a uniform-generator run, which has no generator parameters at all.
 */
export function discriminatorSpecs(model: ModelConfig, V: number): ParamSpec[] {
  return electraSpecs({ model, electra: { ...DEFAULT_ELECTRA, uniformGenerator: true }, V, B: 1, P: 1 }).params;
}

/**
 * ELECTRA's discriminator as ONNX: params (an ELECTRA model's, generator ones ignored) → bytes.
 * Inputs as bertOnnx; output `logits` float (batch, sequence): the replaced-token logit of every
 * position (sigmoid > 0.5 reads "replaced"), plus `attentions.l` as in bertOnnx.
 */
export function electraDiscriminatorOnnx(params: ReadonlyMap<string, Float32Array>, model: ModelConfig, V: number, opts: { attentions?: boolean } = {}): Uint8Array {
  const { L, C, NH, layerNormEps: eps } = model;
  const attentions = opts.attentions ?? true;
  const g = new GraphBuilder();
  const f = front(g);
  const x = layers(g, f, embeddings(g, 'emb.', C, eps), 'disc.', model, eps, 'attentions.');
  const hidden = g.gelu(g.linear(x, 'disc.head.dense.w', 'disc.head.dense.b', 'disc.head.pre'), 'disc.head.out');
  const z = g.linear(hidden, 'disc.head.out.w', 'disc.head.out.b', 'disc.logits_rows'); // (B·S, 1)
  g.op('Reshape', [z, f.shapeBS], 'logits');
  const outputs = [valueInfo('logits', DT.FLOAT, ['batch', 'sequence'])];
  if (attentions) for (let l = 0; l < L; l++) outputs.push(valueInfo(`attentions.${l}`, DT.FLOAT, ['batch', NH, 'sequence', 'sequence']));
  const doc = `masklab ELECTRA discriminator (post-LN, L=${L} C=${C} NH=${NH} FFN=${model.FFN} T=${model.T} V=${V}). input_ids, attention_mask: int64 (batch, sequence ≤ ${model.T}). logits: (batch, sequence) replaced-token logits.`;
  return encodeModel(g, 'masklab_electra_discriminator', initializers(discriminatorSpecs(model, V), params), outputs, doc, { model, V, kind: 'electra-discriminator' });
}

/**
 * The parameters ELECTRA's generator reads, in layout order: its embedding tables (the shared
 * `emb.*` when tied, else its own `gen.emb.*`), `gen.emb.proj` when it projects, `gen.l*`, `gen.head.*`.
 */
export function generatorSpecs(model: ModelConfig, electra: ElectraConfig, V: number): ParamSpec[] {
  if (electra.uniformGenerator) throw new Error('ONNX export: a uniform generator (RTS) has no parameters and nothing to export; export the discriminator.');
  const { emb } = generatorPlan({ model, electra, V, B: 1, P: 1 });
  return electraSpecs({ model, electra, V, B: 1, P: 1 }).params.filter((s) => s.name.startsWith('gen.') || s.name.startsWith(emb));
}

/**
 * ELECTRA's generator as ONNX (transformers' ElectraForMaskedLM): params (an ELECTRA model's,
 * discriminator ones ignored) → bytes. Inputs as bertOnnx; output `logits` float (batch, sequence,
 * V) at every position, plus `attentions.l` (batch, NH_g, sequence, sequence) as in bertOnnx.
 * Rows: LN(wte[id] + wpe + wtt[0]) (B·S, E) → proj (B·S, C_g) → generator layers → head dense
 * C_g → E, GELU, LN → decoder tied to the generator's wte (V, E) + gen.head.bias.
 */
export function electraGeneratorOnnx(params: ReadonlyMap<string, Float32Array>, model: ModelConfig, electra: ElectraConfig, V: number, opts: { attentions?: boolean } = {}): Uint8Array {
  const specs = generatorSpecs(model, electra, V);
  const { dims, emb, project } = generatorPlan({ model, electra, V, B: 1, P: 1 });
  const eps = model.layerNormEps;
  const attentions = opts.attentions ?? true;
  const g = new GraphBuilder();
  const f = front(g);
  const e = embeddings(g, emb, model.C, eps); // (B·S, E), E = the discriminator's C
  const x0 = project ? g.linear(e, 'gen.emb.proj.w', 'gen.emb.proj.b', 'gen.emb.proj') : e;
  mlmHead(g, f, layers(g, f, x0, 'gen.', dims, eps, 'attentions.'), 'gen.head.', `${emb}wte`, V, eps);
  const doc = `masklab ELECTRA generator (post-LN, L=${dims.L} C=${dims.C} NH=${dims.NH} FFN=${dims.FFN}, embeddings E=${model.C}${project ? ' projected' : ''}, T=${model.T} V=${V}). input_ids, attention_mask: int64 (batch, sequence ≤ ${model.T}). logits: (batch, sequence, V) MLM logits at every position.`;
  return encodeModel(g, 'masklab_electra_generator', initializers(specs, params), mlmOutputs(V, dims, attentions), doc, { model, electra, V, kind: 'electra-generator' });
}
