import { unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { SPECIAL_TOKENS } from '../data/tokenizer.ts';
import { DEFAULT_ELECTRA, generatorDims, presetConfig, type ElectraConfig, type ModelConfig } from '../model/config.ts';
import { electraSpecs } from '../model/electra-layout.ts';
import { paramSpecs, type ParamSpec } from '../model/layout.ts';
import { hfElectra, hfFolder, zipFolder, type HfExportInput } from './hf.ts';
import { readSafetensorsFile } from './safetensors.ts';
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

function input(c: Case, electra: Partial<ElectraConfig> | null): { x: HfExportInput; specs: ParamSpec[] } {
  const run = presetConfig(c.masklab.preset);
  const model: ModelConfig = run.model;
  const V = c.masklab.V;
  const e: ElectraConfig = { ...DEFAULT_ELECTRA, ...electra, genFraction: c.masklab.genFraction ?? DEFAULT_ELECTRA.genFraction };
  const specs = electra ? electraSpecs({ model, electra: e, V, B: 1, P: 1 }).params : paramSpecs(model, V);
  return { x: { objective: electra ? 'electra' : 'mlm', model, electra: e, params: fakeParams(specs), vocabText: vocabText(V), lowercase: true }, specs };
}

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
    expect(Object.keys(files).sort()).toEqual(['config.json', 'model.safetensors', 'tokenizer_config.json', 'vocab.txt']);
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
        expect(Object.keys(files).sort()).toEqual(['config.json', 'model.safetensors', 'tokenizer_config.json', 'vocab.txt'].flatMap((f) => [`discriminator/${f}`, `generator/${f}`]).sort());
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

  it('writes vocab.txt as given and a BertTokenizer config that lowercases like the tokenizer', () => {
    const { x } = input(c, null);
    for (const lowercase of [true, false]) {
      const files = hfFolder({ ...x, lowercase });
      expect(new TextDecoder().decode(files['vocab.txt'])).toBe(x.vocabText);
      expect(decoded(files['tokenizer_config.json']!)).toEqual({
        tokenizer_class: 'BertTokenizer',
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
