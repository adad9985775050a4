import { unzipSync } from 'fflate';
import onnxProto from 'onnx-proto';
import { describe, expect, it } from 'vitest';
import { parseVocabText, SPECIAL_TOKENS } from '../data/tokenizer.ts';
import { DEFAULT_ELECTRA, generatorDims, presetConfig, type ElectraConfig, type ModelConfig } from '../model/config.ts';
import { electraSpecs } from '../model/electra-layout.ts';
import { paramSpecs, type ParamSpec } from '../model/layout.ts';
import { hfElectra, hfFolder, zipFolder, type HfExportInput } from './hf.ts';
import type { CardEval } from './model-card.ts';
import { discriminatorSpecs, generatorSpecs } from './onnx.ts';
import { readSafetensorsFile } from './safetensors.ts';
import { tokenizerJson } from './tokenizer-json.ts';
import bertList from './testdata/hf-bert-mlm.json';
import discList from './testdata/hf-electra-discriminator.json';
import genList from './testdata/hf-electra-generator.json';

interface Key {
  name: string;
  shape: number[];
  tied_to?: string;
}
interface Case {
  masklab: { preset: string; V: number; genFraction?: number };
  config: Record<string, unknown>;
  state_dict: Key[];
}

/**
 * Parameter k (in layout order) holds k + i/2¹⁵ at element i: exact in float32 for k < 128 and
 * i < 2¹⁵, so any exported float names the parameter and element it came from.
 */
function fakeParams(specs: ParamSpec[]): Map<string, Float32Array> {
  return new Map(specs.map((s, k) => [s.name, new Float32Array(s.shape.reduce((a, b) => a * b, 1)).map((_, i) => k + i / 32768)]));
}
const vocabText = (V: number) => [...SPECIAL_TOKENS, ...Array.from({ length: V - SPECIAL_TOKENS.length }, (_, i) => `tok${i}`)].join('\n') + '\n';

/** A last held-out evaluation with recognisable numbers, for the model card. */
const lastEval: CardEval = {
  step: 40,
  loss: 5.4321,
  accuracy: 0.1234,
  count: 987,
  own: { loss: 5.6789, accuracy: 0.1111, count: 900 },
  values: { genLoss: 5.4321, genAccuracy: 0.1234, discLoss: 0.4567, discAccuracy: 0.8123, precision: 0.61, recall: 0.42, auc: 0.7777 },
};

function input(c: Case, electra: Partial<ElectraConfig> | null): { x: HfExportInput; specs: ParamSpec[] } {
  const config = presetConfig(c.masklab.preset);
  const model: ModelConfig = config.model;
  const V = c.masklab.V;
  const e: ElectraConfig = { ...DEFAULT_ELECTRA, ...electra, genFraction: c.masklab.genFraction ?? DEFAULT_ELECTRA.genFraction };
  const specs = electra ? electraSpecs({ model, electra: e, V, B: 1, P: 1 }).params : paramSpecs(model, V);
  const objective = electra ? 'electra' : 'mlm';
  const run = { config: { ...config, objective, electra: e, data: { source: 'brown', tokenizer: 'wordpiece', vocabSize: V }, train: { ...config.train, steps: 50 } } as const, step: 40, lastEval, data: { trainDocs: 450, heldOutDocs: 50, trainTokens: 1_234_567, heldOutTokens: 123_456 } };
  return { x: { layout: electra ? ('electra-pair' as const) : ('bert-mlm' as const), model, electra: e, params: fakeParams(specs), vocabText: vocabText(V), lowercase: true, tokenizerKind: 'wordpiece', maxWordChars: 100, run }, specs };
}

/** The files of one model folder (`dir` = '', 'discriminator/' or 'generator/'). */
const FOLDER_FILES = ['README.md', 'config.json', 'model.safetensors', 'onnx/model.onnx', 'tokenizer.json', 'tokenizer_config.json', 'vocab.txt'];

/** Byte equality without a deep toEqual, which takes seconds over ~150 KB. */
const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((v, i) => v === b[i]);
const decoded = (bytes: Uint8Array) => JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;

/** The file's names and shapes are exactly the class's state dict minus its tied keys, and config.json says the same dims. */
function expectMatchesList(files: Record<string, Uint8Array>, dir: string, c: Case, arch: string) {
  const file = readSafetensorsFile(files[`${dir}model.safetensors`]!);
  expect(file.metadata).toEqual({ format: 'pt' });
  const got = [...file.tensors].map(([name, t]) => ({ name, shape: t.shape })).sort((a, b) => a.name.localeCompare(b.name));
  const want = c.state_dict.filter((k) => !k.tied_to).map(({ name, shape }) => ({ name, shape })).sort((a, b) => a.name.localeCompare(b.name));
  expect(got).toEqual(want);
  for (const k of c.state_dict.filter((k) => k.tied_to)) {
    expect(file.tensors.has(k.name)).toBe(false);
    expect(file.tensors.get(k.tied_to!)!.shape).toEqual(k.shape);
  }
  const config = decoded(files[`${dir}config.json`]!);
  expect(config).toMatchObject({ ...c.config, architectures: [arch], hidden_act: 'gelu', pad_token_id: 0 });
  return file.tensors;
}

/** Which of our parameters (index into specs) and element an exported float came from. */
const origin = (v: number) => ({ k: Math.floor(v), i: Math.round((v - Math.floor(v)) * 32768) });

function expectCovers(tensorSets: Map<string, { data: Float32Array }>[], specs: ParamSpec[]) {
  const seen = new Set<number>();
  for (const ts of tensorSets) for (const t of ts.values()) for (const v of t.data) seen.add(origin(v).k);
  expect(specs.filter((_, k) => !seen.has(k)).map((s) => s.name)).toEqual([]);
}

/** `hf` holds exactly our parameter `ours` (elements from..from+n). */
function expectFrom(tensors: Map<string, { data: Float32Array }>, hf: string, specs: ParamSpec[], ours: string, from = 0) {
  const k = specs.findIndex((s) => s.name === ours);
  const data = tensors.get(hf)!.data;
  expect(k).toBeGreaterThanOrEqual(0);
  expect(Array.from(data, (v) => origin(v))).toEqual(Array.from(data, (_, i) => ({ k, i: from + i })));
}

describe('Hugging Face export: names and shapes of transformers classes', () => {
  it('BertForMaskedLM (bert-micro) matches the checked-in state dict; qkv split into query/key/value rows', () => {
    const c = bertList.cases[0]! as Case;
    const { x, specs } = input(c, null);
    const files = hfFolder(x);
    expect(Object.keys(files).sort()).toEqual(FOLDER_FILES);
    const t = expectMatchesList(files, '', c, 'BertForMaskedLM');
    expect(decoded(files['config.json']!)).toMatchObject({ model_type: 'bert', layer_norm_eps: 1e-12, initializer_range: 0.02, tie_word_embeddings: true });
    const C = 32;
    expectFrom(t, 'bert.encoder.layer.1.attention.self.query.weight', specs, 'l1.qkv.w', 0);
    expectFrom(t, 'bert.encoder.layer.1.attention.self.key.weight', specs, 'l1.qkv.w', C * C);
    expectFrom(t, 'bert.encoder.layer.1.attention.self.value.bias', specs, 'l1.qkv.b', 2 * C);
    expectFrom(t, 'bert.encoder.layer.0.attention.output.LayerNorm.weight', specs, 'l0.ln1.w');
    expectFrom(t, 'bert.encoder.layer.0.output.dense.weight', specs, 'l0.fc2.w');
    expectFrom(t, 'cls.predictions.bias', specs, 'head.bias');
    expectFrom(t, 'cls.predictions.transform.LayerNorm.bias', specs, 'head.ln.b');
    expectFrom(t, 'bert.embeddings.token_type_embeddings.weight', specs, 'emb.wtt');
    expectCovers([t], specs);
  });

  it('ElectraForPreTraining (electra-micro discriminator) matches the checked-in state dict', () => {
    const c = discList.cases[0]! as Case;
    const { x, specs } = input(c, {});
    const t = expectMatchesList(hfFolder(x), 'discriminator/', c, 'ElectraForPreTraining');
    expectFrom(t, 'electra.embeddings.word_embeddings.weight', specs, 'emb.wte');
    expectFrom(t, 'electra.encoder.layer.1.attention.self.key.bias', specs, 'disc.l1.qkv.b', 32);
    expectFrom(t, 'discriminator_predictions.dense_prediction.weight', specs, 'disc.head.out.w');
    expectFrom(t, 'discriminator_predictions.dense_prediction.bias', specs, 'disc.head.out.b');
  });

  for (const tied of [true, false]) {
    for (const c of genList.cases as Case[]) {
      it(`ElectraForMaskedLM (generator, genFraction ${c.masklab.genFraction}, ${tied ? 'tied' : 'untied'} embeddings) matches the checked-in state dict`, () => {
        const { x, specs } = input(c, { tiedEmbeddings: tied });
        const files = hfFolder(x);
        expect(Object.keys(files).sort()).toEqual(FOLDER_FILES.flatMap((f) => [`discriminator/${f}`, `generator/${f}`]).sort());
        const gen = expectMatchesList(files, 'generator/', c, 'ElectraForMaskedLM');
        const disc = expectMatchesList(files, 'discriminator/', discList.cases[0]! as Case, 'ElectraForPreTraining');
        expect(decoded(files['generator/config.json']!)).toMatchObject({ model_type: 'electra', embedding_size: 32, initializer_range: 0.1 });
        const g = generatorDims(x.model, x.electra.genFraction);
        expect(c.config).toMatchObject({ hidden_size: g.C, num_attention_heads: g.NH, intermediate_size: g.FFN });
        expectFrom(gen, 'electra.embeddings.word_embeddings.weight', specs, tied ? 'emb.wte' : 'gen.emb.wte');
        expectFrom(gen, 'electra.embeddings.LayerNorm.bias', specs, tied ? 'emb.ln.b' : 'gen.emb.ln.b');
        expectFrom(disc, 'electra.embeddings.position_embeddings.weight', specs, 'emb.wpe');
        if (g.C !== 32) expectFrom(gen, 'electra.embeddings_project.weight', specs, 'gen.emb.proj.w');
        expectFrom(gen, 'electra.encoder.layer.0.attention.self.value.weight', specs, 'gen.l0.qkv.w', 2 * g.C * g.C);
        expectFrom(gen, 'generator_predictions.dense.weight', specs, 'gen.head.dense.w');
        expectFrom(gen, 'generator_predictions.LayerNorm.weight', specs, 'gen.head.ln.w');
        expectFrom(gen, 'generator_lm_head.bias', specs, 'gen.head.bias');
        expectCovers([gen, disc], specs);
      });
    }
  }

  it('a uniform generator (RTS) exports the discriminator only', () => {
    const c = discList.cases[0]! as Case;
    const { x } = input(c, { uniformGenerator: true });
    expect(hfElectra(x.params, x.model, x.electra, 1000).generator).toBeNull();
    expect(Object.keys(hfFolder(x)).every((p) => p.startsWith('discriminator/'))).toBe(true);
  });
});

describe('Hugging Face export: folder, tokenizer files, zip, errors', () => {
  const c = bertList.cases[0]! as Case;

  it('writes vocab.txt as given, tokenizer.json, and a tokenizer config that lowercases like the tokenizer', () => {
    const { x } = input(c, null);
    for (const lowercase of [true, false]) {
      const files = hfFolder({ ...x, lowercase });
      expect(new TextDecoder().decode(files['vocab.txt'])).toBe(x.vocabText);
      expect(decoded(files['tokenizer.json']!)).toEqual(tokenizerJson(parseVocabText(x.vocabText), { lowercase, maxWordChars: 100 }));
      expect(decoded(files['tokenizer_config.json']!)).toEqual({
        tokenizer_class: 'PreTrainedTokenizerFast',
        clean_up_tokenization_spaces: false,
        do_lower_case: lowercase,
        strip_accents: false,
        tokenize_chinese_chars: false,
        model_max_length: 16,
        pad_token: '[PAD]',
        unk_token: '[UNK]',
        cls_token: '[CLS]',
        sep_token: '[SEP]',
        mask_token: '[MASK]',
      });
    }
  });

  it('a character tokenizer gets an unlimited word length in tokenizer.json', () => {
    const { x } = input(c, null);
    const files = hfFolder({ ...x, tokenizerKind: 'char', maxWordChars: Infinity });
    expect((decoded(files['tokenizer.json']!).model as { max_input_chars_per_word: number }).max_input_chars_per_word).toBe(2 ** 31 - 1);
    expect(new TextDecoder().decode(files['README.md'])).toMatch(/a character never seen in training turns its whole word into one \[UNK\]/);
  });

  it('zips the folder so that unzipping gives the same files', () => {
    const { x } = input(c, null);
    const files = hfFolder(x);
    const zip = zipFolder(files, { mtime: new Date('2024-01-02T03:04:05Z') });
    const back = unzipSync(zip);
    expect(Object.keys(back).sort()).toEqual(Object.keys(files).sort());
    for (const [path, bytes] of Object.entries(files)) expect(sameBytes(back[path]!, bytes), path).toBe(true);
    expect(sameBytes(zipFolder(files, { mtime: new Date('2024-01-02T03:04:05Z') }), zip)).toBe(true);
  });

  it('says which parameter is missing or the wrong size, and when the vocabulary does not match', () => {
    const { x } = input(c, null);
    const missing = new Map(x.params);
    missing.delete('l1.fc1.b');
    expect(() => hfFolder({ ...x, params: missing })).toThrow(/parameter "l1.fc1.b" is missing/);
    const short = new Map(x.params).set('head.ln.w', new Float32Array(31));
    expect(() => hfFolder({ ...x, params: short })).toThrow(/parameter "head.ln.w" has 31 floats but shape \[32\] needs 32/);
    expect(() => hfFolder({ ...x, vocabText: vocabText(900) })).toThrow(/vocab.txt has 900 tokens but the token embedding emb.wte has 1000 rows/);
  });
});

describe('Hugging Face export: what transformers.js needs, and the model card', () => {
  const { onnx } = onnxProto;
  const onnxOf = (bytes: Uint8Array) => onnx.ModelProto.decode(bytes).graph as onnxProto.onnx.GraphProto;
  const text = (files: Record<string, Uint8Array>, path: string) => new TextDecoder().decode(files[path]);

  it('BERT: onnx/model.onnx is our MLM graph (logits only), config.json asks transformers.js for fp32', () => {
    const c = bertList.cases[0]! as Case;
    const { x, specs } = input(c, null);
    const files = hfFolder(x);
    expect(decoded(files['config.json']!)['transformers.js_config']).toEqual({ dtype: 'fp32' });
    const g = onnxOf(files['onnx/model.onnx']!);
    expect(g.output.map((o) => o.name)).toEqual(['logits']);
    expect(g.initializer.map((t) => t.name)).toEqual(specs.map((s) => s.name));
  });

  it('ELECTRA: the discriminator and the generator each get their own graph', () => {
    const c = genList.cases[0]! as Case;
    const { x } = input(c, {});
    const files = hfFolder(x);
    const V = c.masklab.V;
    expect(onnxOf(files['discriminator/onnx/model.onnx']!).initializer.map((t) => t.name)).toEqual(discriminatorSpecs(x.model, V).map((s) => s.name));
    expect(onnxOf(files['generator/onnx/model.onnx']!).initializer.map((t) => t.name)).toEqual(generatorSpecs(x.model, x.electra, V).map((s) => s.name));
    for (const dir of ['discriminator/', 'generator/']) {
      expect(decoded(files[`${dir}config.json`]!)['transformers.js_config']).toEqual({ dtype: 'fp32' });
      expect(sameBytes(files[`${dir}tokenizer.json`]!, files['generator/tokenizer.json']!)).toBe(true);
    }
  });

  it('the BERT card: front matter, every section, the run\'s numbers and both ways to load it', () => {
    const c = bertList.cases[0]! as Case;
    const { x, specs } = input(c, null);
    const card = text(hfFolder(x), 'README.md');
    expect(card).toMatch(/^---\nlibrary_name: transformers.js\npipeline_tag: fill-mask\nlanguage: en\ntags:\n {2}- masklab\n/);
    for (const h of ['Architecture', 'Data', 'Tokenizer', 'Masking and objective', 'Training', 'Held-out metrics', 'How to use', 'Files']) expect(card).toContain(`\n## ${h}\n`);
    const parameters = specs.reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1), 0);
    expect(card).toContain(`\`BertForMaskedLM\` (model_type \`bert\`), ${parameters.toLocaleString('en-US')} parameters`);
    expect(card).toContain('2 layers, hidden size 32, 2 heads of size 16, feed-forward 64');
    expect(card).toContain('The Brown Corpus');
    expect(card).toContain('450 for training (1,234,567 tokens), 50 held out (123,456 tokens)');
    expect(card).toContain('WordPiece, 1,000 tokens'.replace('1,000', String(c.masklab.V)));
    expect(card).toContain('Random tokens (BERT) (`random`)');
    expect(card).toMatch(/rate = 0\.15, .*maskProb = 0\.8, randomProb = 0\.1/);
    expect(card).toContain('40 steps (of 50 planned) of 32 sequences × 16 tokens');
    expect(card).toContain('AdamW (lr 0.005, constant after 20 warm-up steps,');
    expect(card).toContain('On the held-out split at step 40:');
    expect(card).toContain('| MLM loss (fixed mask: 15%, all [MASK]) | 5.432 nats (perplexity 229) |');
    expect(card).toContain('| MLM accuracy (fixed mask) | 12.3% of 987 masked tokens |');
    expect(card).toContain("const fill = await pipeline('fill-mask', 'my-model');");
    expect(card).toContain('model = BertForMaskedLM.from_pretrained("my-model")');
    expect(card).not.toContain('AUC');
  });

  it('the ELECTRA cards: the discriminator has no fill-mask tag and reports detection; the generator is a fill-mask model', () => {
    const c = genList.cases[0]! as Case;
    const { x } = input(c, {});
    const files = hfFolder(x);
    const disc = text(files, 'discriminator/README.md');
    const gen = text(files, 'generator/README.md');
    expect(disc).not.toContain('pipeline_tag');
    expect(disc).toContain('`ElectraForPreTraining`');
    expect(disc).toContain('| Discriminator ROC AUC | 0.778 |');
    expect(disc).toContain("const model = await AutoModel.from_pretrained('my-model');");
    expect(disc).toContain('λ = 50');
    expect(gen).toContain('pipeline_tag: fill-mask');
    expect(gen).toContain('`ElectraForMaskedLM`');
    expect(gen).toContain('| Generator MLM accuracy (fixed mask) | 12.3% of 987 masked tokens |');
    expect(gen).not.toContain('AUC');
    expect(gen).toContain("const fill = await pipeline('fill-mask', 'my-model');");
  });

  it('a uniform generator (RTS): the discriminator card reports detection only', () => {
    const { x } = input(discList.cases[0]! as Case, { uniformGenerator: true });
    const card = new TextDecoder().decode(hfFolder(x)['discriminator/README.md']);
    expect(card).toContain('| Discriminator ROC AUC | 0.778 |');
    expect(card).not.toContain('Generator MLM');
    expect(card).toContain('uniform generator (random replacements, no generator)');
  });

  it('without a held-out evaluation the card says so', () => {
    const { x } = input(bertList.cases[0]! as Case, null);
    expect(text(hfFolder({ ...x, run: { ...x.run, lastEval: null } }), 'README.md')).toContain('No held-out evaluation ran before this export.');
    // The linear probes, when the run has them: the best layer beside both baselines.
    const probe = { step: 40, tasks: [{ label: 'POS tags', layer: 'layer 1', accuracy: 0.712, initial: 0.58, majority: 0.276 }] };
    expect(text(hfFolder({ ...x, run: { ...x.run, probe } }), 'README.md')).toContain('| Linear probe at step 40: POS tags (best layer, held-out documents) | 71.2% (layer 1; untrained 58.0%, majority class 27.6%) |');
  });
});
