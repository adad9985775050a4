// Hugging Face export: our parameters (host copies, by the names of src/model/layout.ts and
// src/model/electra-layout.ts) → the state-dict names and shapes of transformers'
// BertForMaskedLM, ElectraForPreTraining (discriminator) and ElectraForMaskedLM (generator), their
// config.json and tokenizer files, as a folder (path → bytes) or a zip that from_pretrained loads.
// Each model folder also holds what transformers.js needs to open it as written: tokenizer.json
// (tokenizer-json.ts), onnx/model.onnx (onnx.ts) and config.json's "transformers.js_config";
// and a model card, README.md (model-card.ts).
// The names and shapes are checked against lists taken from transformers' source
// (testdata/hf-*.json; README "Hugging Face" says what differs from a stock checkpoint).
//
// Tied weights are not written, as save_pretrained does not write them: the MLM decoder weight
// is the word-embedding table (tie_word_embeddings = true re-ties it on load), and BERT's
// cls.predictions.decoder.bias is the same Parameter as cls.predictions.bias.
//
// Pure: no GPU, no DOM, no tokenizer object (the vocabulary comes in as vocab.txt text).
// Reading the parameters off the GPU is the engine's job.

import { zipSync, type Zippable } from 'fflate';
import { PAD_ID, parseVocabText, SPECIAL_TOKENS, type TokenizerKind } from '../data/tokenizer.ts';
import type { ElectraConfig, ModelConfig } from '../model/config.ts';
import type { HfLayout } from '../objectives/types.ts';
import { generatorPlan } from '../model/electra-layout.ts';
import type { EncoderDims } from '../model/layout.ts';
import { modelCard, type CardModel, type CardRun } from './model-card.ts';
import { bertOnnx, electraDiscriminatorOnnx, electraGeneratorOnnx } from './onnx.ts';
import { writeSafetensors, type NamedTensor } from './safetensors.ts';
import { tokenizerJson } from './tokenizer-json.ts';

/** Our parameters by our name (emb.wte, l0.qkv.w, …), each row-major as in the arena. */
export type Params = ReadonlyMap<string, Float32Array>;
export type HfConfig = Record<string, unknown>;
/** One transformers model: its state dict (tied keys left out) and its config.json. */
export interface HfModel {
  tensors: NamedTensor[];
  config: HfConfig;
}

const numel = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** Our parameter `name`, checked to fill `shape`. The tensors below are views of it (the writer copies). */
function take(params: Params, name: string, shape: number[]): Float32Array {
  const t = params.get(name);
  if (!t) throw new Error(`Hugging Face export: parameter "${name}" is missing. Pass every parameter of the model, by its masklab name.`);
  if (t.length !== numel(shape)) {
    throw new Error(`Hugging Face export: parameter "${name}" has ${t.length} floats but shape [${shape.join(', ')}] needs ${numel(shape)}: the model config or vocabulary size does not match the parameters.`);
  }
  return t;
}

/** Linear `${ours}.w` (OUT, IN) and `.b` (OUT) → `${hf}.weight`, `${hf}.bias`: torch's nn.Linear stores [out, in] too, so no transpose. */
function linear(params: Params, ours: string, hf: string, OUT: number, IN: number): NamedTensor[] {
  return [
    { name: `${hf}.weight`, shape: [OUT, IN], data: take(params, `${ours}.w`, [OUT, IN]) },
    { name: `${hf}.bias`, shape: [OUT], data: take(params, `${ours}.b`, [OUT]) },
  ];
}

/** LayerNorm `${ours}.w`/`.b` (C) → `${hf}.weight`/`.bias` (hf ends in "LayerNorm"). */
function layerNorm(params: Params, ours: string, hf: string, C: number): NamedTensor[] {
  return [
    { name: `${hf}.weight`, shape: [C], data: take(params, `${ours}.w`, [C]) },
    { name: `${hf}.bias`, shape: [C], data: take(params, `${ours}.b`, [C]) },
  ];
}

/** `${ours}wte` (V,E), `wpe` (T,E), `wtt` (2,E), `ln` → BertEmbeddings / ElectraEmbeddings at `${hf}`. */
function embeddings(params: Params, ours: string, hf: string, V: number, T: number, E: number): NamedTensor[] {
  return [
    { name: `${hf}.word_embeddings.weight`, shape: [V, E], data: take(params, `${ours}wte`, [V, E]) },
    { name: `${hf}.position_embeddings.weight`, shape: [T, E], data: take(params, `${ours}wpe`, [T, E]) },
    { name: `${hf}.token_type_embeddings.weight`, shape: [2, E], data: take(params, `${ours}wtt`, [2, E]) },
    ...layerNorm(params, `${ours}ln`, `${hf}.LayerNorm`, E),
  ];
}

/**
 * L post-LN layers `${ours}l{l}.*` → `${hf}.layer.{l}.*`. Our fused qkv.w (3C, C) holds query,
 * key and value as row blocks [0,C), [C,2C), [2C,3C) with head h at rows h·HS… of each block,
 * which is how transformers' transpose_for_scores splits query/key/value into heads: split rows.
 */
function encoder(params: Params, ours: string, hf: string, d: EncoderDims): NamedTensor[] {
  const { C, FFN } = d;
  const out: NamedTensor[] = [];
  for (let l = 0; l < d.L; l++) {
    const p = `${ours}l${l}.`;
    const h = `${hf}.layer.${l}.`;
    const w = take(params, `${p}qkv.w`, [3 * C, C]);
    const b = take(params, `${p}qkv.b`, [3 * C]);
    ['query', 'key', 'value'].forEach((part, k) => {
      out.push({ name: `${h}attention.self.${part}.weight`, shape: [C, C], data: w.subarray(k * C * C, (k + 1) * C * C) });
      out.push({ name: `${h}attention.self.${part}.bias`, shape: [C], data: b.subarray(k * C, (k + 1) * C) });
    });
    out.push(
      ...linear(params, `${p}proj`, `${h}attention.output.dense`, C, C),
      ...layerNorm(params, `${p}ln1`, `${h}attention.output.LayerNorm`, C),
      ...linear(params, `${p}fc1`, `${h}intermediate.dense`, FFN, C),
      ...linear(params, `${p}fc2`, `${h}output.dense`, C, FFN),
      ...layerNorm(params, `${p}ln2`, `${h}output.LayerNorm`, C),
    );
  }
  return out;
}

/**
 * The config.json fields both model types share. hidden_act "gelu" is the exact erf GELU, ours.
 * Dropout 0.1 is BERT's default: masklab trains without dropout, but from_pretrained returns the
 * model in eval mode, where dropout is off, so outputs match ours; 0.1 is what fine-tuning
 * recipes expect (pass hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0 to continue
 * pretraining exactly as masklab did).
 */
function sharedConfig(model: ModelConfig, d: EncoderDims, V: number): HfConfig {
  return {
    vocab_size: V,
    hidden_size: d.C,
    num_hidden_layers: d.L,
    num_attention_heads: d.NH,
    intermediate_size: d.FFN,
    hidden_act: 'gelu',
    hidden_dropout_prob: 0.1,
    attention_probs_dropout_prob: 0.1,
    max_position_embeddings: model.T,
    type_vocab_size: 2,
    initializer_range: model.initStd,
    layer_norm_eps: model.layerNormEps,
    pad_token_id: PAD_ID,
    position_embedding_type: 'absolute',
    tie_word_embeddings: true,
    torch_dtype: 'float32',
  };
}

/** BertForMaskedLM from a masklab MLM model: V tokens, the preset's L/C/NH/FFN/T. */
export function hfBertForMaskedLM(params: Params, model: ModelConfig, V: number): HfModel {
  const { C, T } = model;
  const tensors = [
    ...embeddings(params, 'emb.', 'bert.embeddings', V, T, C),
    ...encoder(params, '', 'bert.encoder', model),
    { name: 'cls.predictions.bias', shape: [V], data: take(params, 'head.bias', [V]) },
    ...linear(params, 'head.dense', 'cls.predictions.transform.dense', C, C),
    ...layerNorm(params, 'head.ln', 'cls.predictions.transform.LayerNorm', C),
  ];
  return { tensors, config: { architectures: ['BertForMaskedLM'], model_type: 'bert', ...sharedConfig(model, model, V) } };
}

export interface HfElectra {
  discriminator: HfModel;
  /** null for a uniform generator (RTS): there is nothing to export. */
  generator: HfModel | null;
}

/**
 * ElectraForPreTraining (discriminator) and ElectraForMaskedLM (generator). Both read the shared
 * `emb.*` tables (untied: the generator's own `gen.emb.*`) at width E = C, the discriminator's
 * hidden size: ElectraConfig.embedding_size = E for both, so only the generator (hidden C_g < E)
 * has electra.embeddings_project.
 */
export function hfElectra(params: Params, model: ModelConfig, electra: ElectraConfig, V: number): HfElectra {
  const { C, T } = model;
  const E = C;
  const electraConfig = (arch: string, d: EncoderDims): HfConfig => ({ architectures: [arch], model_type: 'electra', embedding_size: E, ...sharedConfig(model, d, V) });
  const discriminator: HfModel = {
    tensors: [
      ...embeddings(params, 'emb.', 'electra.embeddings', V, T, E),
      ...encoder(params, 'disc.', 'electra.encoder', model),
      ...linear(params, 'disc.head.dense', 'discriminator_predictions.dense', C, C),
      ...linear(params, 'disc.head.out', 'discriminator_predictions.dense_prediction', 1, C),
    ],
    config: electraConfig('ElectraForPreTraining', model),
  };
  if (electra.uniformGenerator) return { discriminator, generator: null };

  const g = generatorPlan({ model, electra, V, B: 1, P: 1 });
  const Cg = g.dims.C;
  const generator: HfModel = {
    tensors: [
      ...embeddings(params, g.emb, 'electra.embeddings', V, T, E),
      ...(g.project ? linear(params, 'gen.emb.proj', 'electra.embeddings_project', Cg, E) : []),
      ...encoder(params, 'gen.', 'electra.encoder', g.dims),
      ...layerNorm(params, 'gen.head.ln', 'generator_predictions.LayerNorm', E),
      ...linear(params, 'gen.head.dense', 'generator_predictions.dense', E, Cg),
      // generator_lm_head.weight is the generator's word-embedding table (tied); its bias is its own.
      { name: 'generator_lm_head.bias', shape: [V], data: take(params, 'gen.head.bias', [V]) },
    ],
    config: electraConfig('ElectraForMaskedLM', g.dims),
  };
  return { discriminator, generator };
}

/**
 * tokenizer_config.json. tokenizer_class PreTrainedTokenizerFast: the tokenizer is tokenizer.json
 * exactly as written, in transformers.js and in Python (v4 and v5; v5 would rebuild a
 * "BertTokenizer" with BERT's own pre-tokenizer). The BertTokenizer fields stay for whoever loads
 * vocab.txt with BertTokenizer explicitly: strip_accents false, as we lowercase but keep accents
 * (HF would strip them with do_lower_case alone); tokenize_chinese_chars false, as we do not split
 * CJK characters into words. clean_up_tokenization_spaces false: decode() glues nothing to
 * punctuation (transformers.js defaults to true), as ours.
 */
export function hfTokenizerConfig(lowercase: boolean, T: number): HfConfig {
  const [pad, unk, cls, sep, mask] = SPECIAL_TOKENS;
  return {
    tokenizer_class: 'PreTrainedTokenizerFast',
    clean_up_tokenization_spaces: false,
    do_lower_case: lowercase,
    strip_accents: false,
    tokenize_chinese_chars: false,
    model_max_length: T,
    pad_token: pad,
    unk_token: unk,
    cls_token: cls,
    sep_token: sep,
    mask_token: mask,
  };
}

export interface HfExportInput {
  /** Which folder (the objective's hfLayout). */
  layout: HfLayout;
  model: ModelConfig;
  electra: ElectraConfig;
  params: Params;
  /** vocab.txt as Tokenizer.toVocabText() writes it: one token per line, line number = id. */
  vocabText: string;
  /** The tokenizer's `lowercase` (becomes do_lower_case and tokenizer.json's normalizer). */
  lowercase: boolean;
  /** The tokenizer's kind and word-length limit (Tokenizer.maxWordChars; Infinity for characters). */
  tokenizerKind: TokenizerKind;
  maxWordChars: number;
  /** What the model card says about the run: its config, step, last held-out evaluation, data sizes. */
  run: CardRun;
}

const json = (v: unknown) => new TextEncoder().encode(JSON.stringify(v, null, 2) + '\n');

/**
 * transformers.js reads config.json: model_type picks the class (bert → BertForMaskedLM, electra →
 * ElectraForMaskedLM for fill-mask), and dtype fp32 makes it load onnx/model.onnx on every device
 * (its default on 'wasm', i.e. in browsers, is q8: onnx/model_quantized.onnx, which we do not write).
 */
const TRANSFORMERS_JS_CONFIG = { dtype: 'fp32' };

interface SharedFiles {
  x: HfExportInput;
  V: number;
  tokenizerConfig: HfConfig;
  tokenizerJson: Uint8Array;
}

function modelFiles(which: CardModel, m: HfModel, onnx: Uint8Array, f: SharedFiles, dir: string): Record<string, Uint8Array> {
  const config = { ...m.config, 'transformers.js_config': TRANSFORMERS_JS_CONFIG };
  const parameters = m.tensors.reduce((n, t) => n + numel(t.shape), 0);
  const card = modelCard({ which, run: f.x.run, hfConfig: config, parameters, tokenizer: { kind: f.x.tokenizerKind, V: f.V, lowercase: f.x.lowercase } });
  return {
    [`${dir}config.json`]: json(config),
    [`${dir}model.safetensors`]: writeSafetensors(m.tensors, { format: 'pt' }),
    [`${dir}vocab.txt`]: new TextEncoder().encode(f.x.vocabText),
    [`${dir}tokenizer_config.json`]: json(f.tokenizerConfig),
    [`${dir}tokenizer.json`]: f.tokenizerJson,
    [`${dir}onnx/model.onnx`]: onnx,
    [`${dir}README.md`]: new TextEncoder().encode(card),
  };
}

/**
 * The export folder, path → bytes: config.json, model.safetensors, vocab.txt,
 * tokenizer_config.json, tokenizer.json, onnx/model.onnx and README.md; for ELECTRA in
 * discriminator/ and generator/ (no generator/ for RTS). The ONNX graphs leave the attention maps
 * out (transformers.js would fetch every output).
 */
export function hfFolder(x: HfExportInput): Record<string, Uint8Array> {
  const vocab = parseVocabText(x.vocabText);
  const V = vocab.length;
  const wte = x.params.get('emb.wte');
  if (wte && wte.length !== V * x.model.C) {
    throw new Error(`Hugging Face export: vocab.txt has ${V} tokens but the token embedding emb.wte has ${wte.length / x.model.C} rows. Export with the vocabulary the model was trained with.`);
  }
  const f: SharedFiles = { x, V, tokenizerConfig: hfTokenizerConfig(x.lowercase, x.model.T), tokenizerJson: json(tokenizerJson(vocab, { lowercase: x.lowercase, maxWordChars: x.maxWordChars })) };
  const params = x.params;
  const noAttentions = { attentions: false };
  if (x.layout === 'bert-mlm') return modelFiles('bert', hfBertForMaskedLM(x.params, x.model, V), bertOnnx(params, x.model, V, noAttentions), f, '');
  const e = hfElectra(x.params, x.model, x.electra, V);
  return {
    ...modelFiles('discriminator', e.discriminator, electraDiscriminatorOnnx(params, x.model, V, noAttentions), f, 'discriminator/'),
    ...(e.generator ? modelFiles('generator', e.generator, electraGeneratorOnnx(params, x.model, x.electra, V, noAttentions), f, 'generator/') : {}),
  };
}

/** The folder as one .zip. Weights (safetensors, ONNX) are stored, not deflated: float32 noise barely compresses. */
export function zipFolder(files: Record<string, Uint8Array>, opts: { mtime?: Date } = {}): Uint8Array {
  const entries: Zippable = {};
  for (const [path, bytes] of Object.entries(files)) entries[path] = [bytes, { level: /\.(safetensors|onnx)$/.test(path) ? 0 : 6 }];
  return zipSync(entries, { mtime: opts.mtime ?? new Date() });
}
