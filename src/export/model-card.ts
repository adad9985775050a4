// The README.md of an exported Hugging Face folder: a model card in the Hub's style (YAML front
// matter, then prose) that says what the model is, what it was trained on and how, how well it did
// on held-out text, and how to load it in transformers.js and in Python transformers. Every number
// comes from the run (its config, step and last held-out evaluation) or from config.json, so the
// card and the weights cannot disagree.
//
// Pure: strings in, a string out. What it does not do: evaluate anything (the last evaluation is
// passed in) or describe masking strategies beyond what the registry says about them.

import { objectiveById, objectiveParams } from '../objectives/registry.ts';
import type { RunConfig } from '../model/config.ts';
import { generatorDims } from '../model/config.ts';
import { parseMaskingConfig, strategyById } from '../masking/registry.ts';

/** Which model of the run a card describes. */
export type CardModel = 'bert' | 'discriminator' | 'generator';

/** The held-out numbers the card reports (src/train/protocol.ts EvalPoint has these fields). */
export interface CardEval {
  step: number;
  /** MLM loss (nats) and accuracy on the fixed eval mask: 15% of tokens, all [MASK], seed-frozen. ELECTRA: the generator's. */
  loss: number;
  accuracy: number;
  /** Masked tokens scored. */
  count: number;
  /** The same on the run's own masking strategy. */
  own?: { loss: number; accuracy: number; count: number };
  /** The objective's own metrics by name (ELECTRA: auc, discAccuracy, precision, recall, discLoss, ...). */
  values?: Record<string, number>;
}

/** What the card says about the run, beyond the weights. */
export interface CardRun {
  config: RunConfig;
  /** Steps trained when exported. */
  step: number;
  /** The last held-out evaluation (session history), or null when none ran. */
  lastEval: CardEval | null;
  /** Dataset sizes (DatasetStats), when known. */
  data?: { trainDocs: number; heldOutDocs: number; trainTokens: number; heldOutTokens: number };
  /** The last linear probes (issue [H]) of the encoder / discriminator, when the run has them. */
  probe?: CardProbe;
}

/** Per probe task: the best layer's held-out accuracy, the untrained model's, and the majority class's. */
export interface CardProbe {
  step: number;
  tasks: { label: string; layer: string; accuracy: number; initial: number | null; majority: number }[];
}

export interface CardInput {
  which: CardModel;
  run: CardRun;
  /** The folder's config.json. */
  hfConfig: Record<string, unknown>;
  /** Parameters in model.safetensors. */
  parameters: number;
  /** Tokenizer kind and V (vocab.txt lines). */
  tokenizer: { kind: string; V: number; lowercase: boolean };
}

const fmt = (x: number, digits = 4) => (Number.isFinite(x) ? Number(x.toPrecision(digits)).toString() : String(x));
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const count = (n: number) => n.toLocaleString('en-US');
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

const TITLES: Record<CardModel, string> = {
  bert: 'BERT masked language model',
  discriminator: 'ELECTRA discriminator (replaced-token detection)',
  generator: 'ELECTRA generator (masked language model)',
};
const CLASSES: Record<CardModel, string> = { bert: 'BertForMaskedLM', discriminator: 'ElectraForPreTraining', generator: 'ElectraForMaskedLM' };

/** An example sentence in the run's vocabulary (the probe sentences the app starts with, one [MASK]). */
function exampleText(c: RunConfig): string {
  return c.data.source === 'brown' || c.data.source === 'text' ? 'the [MASK] of the house was open .' : 'a b c [MASK] e f g';
}

function frontMatter(x: CardInput): string {
  const c = x.run.config;
  const tags = ['masklab', objectiveById(c.objective)?.hfTag ?? c.objective, x.which === 'discriminator' ? 'replaced-token-detection' : 'masked-lm', 'onnx', 'transformers.js', 'tiny'];
  const lines = ['---', 'library_name: transformers.js', ...(x.which === 'discriminator' ? [] : ['pipeline_tag: fill-mask']), ...(c.data.source === 'brown' ? ['language: en'] : []), 'tags:', ...tags.map((t) => `  - ${t}`), '---'];
  return lines.join('\n');
}

function architecture(x: CardInput): string {
  const h = x.hfConfig;
  const c = x.run.config;
  const HS = Number(h.hidden_size) / Number(h.num_attention_heads);
  const lines = [
    `\`${CLASSES[x.which]}\` (model_type \`${String(h.model_type)}\`), ${count(x.parameters)} parameters: a post-LayerNorm transformer encoder, ${plural(Number(h.num_hidden_layers), 'layer')}, hidden size ${h.hidden_size}, ${plural(Number(h.num_attention_heads), 'head')} of size ${HS}, feed-forward ${h.intermediate_size}, exact (erf) GELU, learned positions up to ${h.max_position_embeddings} tokens (the run's sequence length: longer inputs must be truncated, as the pipelines do), vocabulary ${h.vocab_size}.`,
  ];
  if (x.which === 'bert') lines.push('MLM head: dense → GELU → LayerNorm → decoder tied to the token embeddings, plus a bias. No pooler and no next-sentence head.');
  if (x.which !== 'bert') {
    const g = generatorDims(c.model, c.electra.genFraction);
    lines.push(
      `Trained as a pair: a generator (hidden ${g.C}, ${plural(g.NH, 'head')}, feed-forward ${g.FFN}; ${c.electra.genFraction} of the discriminator's width) fills masked positions with samples, and a discriminator (hidden ${c.model.C}) tells which tokens were replaced. Embeddings have width ${h.embedding_size}${g.C !== c.model.C ? ` (the generator projects them to ${g.C})` : ''}; ${c.electra.tiedEmbeddings ? 'the two shared them during training (each folder holds its own copy)' : 'each had its own'}.`,
      x.which === 'generator' ? 'This folder is the generator: MLM head dense → GELU → LayerNorm → decoder tied to its token embeddings.' : 'This folder is the discriminator: head dense → GELU → one logit per token (> 0: "replaced").',
    );
  }
  lines.push('Trained without dropout; config.json says BERT\'s 0.1 (inference runs in eval mode either way).');
  return lines.join(' ');
}

function data(x: CardInput): string {
  const c = x.run.config;
  const d = x.run.data;
  const split = d ? ` Split by whole documents: ${count(d.trainDocs)} for training (${count(d.trainTokens)} tokens), ${count(d.heldOutDocs)} held out (${count(d.heldOutTokens)} tokens).` : '';
  switch (c.data.source) {
    case 'brown':
      return `The Brown Corpus (Francis & Kučera, 1961: 500 samples of American English prose in 15 genres, about a million words), every 10th document held out.${split}`;
    case 'text':
      return `Text supplied by the person who trained it (pasted or a .txt file), split into documents of about 400 words, every 10th held out.${split}`;
    default:
      return `A synthetic task (\`${c.data.source}\`): rows of symbols in which every masked token is determined by its context; a check that training works, not language.`;
  }
}

function tokenizer(x: CardInput): string {
  const t = x.tokenizer;
  const what =
    t.kind === 'char'
      ? `Characters: each character seen in training, as a word-initial token ("t") and a continuation ("##t"), so word starts stay visible without a space token; ${t.V} tokens.`
      : t.kind === 'wordpiece'
        ? `WordPiece, ${t.V} tokens learned on the training split (greedy longest-match-first encoding, "##" continuations).`
        : `One token per symbol, ${t.V} tokens.`;
  return [
    what,
    `${t.lowercase ? 'Lowercased' : 'Case kept'}, accents kept. Text is split on whitespace, punctuation at a word's edges is split off one character at a time, and apostrophes and hyphens inside a word stay ("atlanta's", "term-end"). Sequences are \`[CLS] … [SEP]\`, [PAD] = 0, [MASK] = 4.`,
    '`tokenizer.json` (Hugging Face `tokenizers` format) reproduces this exactly, in transformers.js and in Python;',
    t.kind === 'char' ? 'one exception: a character never seen in training turns its whole word into one [UNK] there, while masklab makes only that character [UNK].' : 'a word with a character outside the vocabulary is one [UNK] in both.',
    '`vocab.txt` is the same vocabulary for BERT-style tokenizers, which split punctuation inside words too (so they differ on words like "atlanta\'s").',
  ].join(' ');
}

function masking(x: CardInput): string {
  const c = x.run.config;
  const s = strategyById(c.masking.strategy);
  const params = parseMaskingConfig(c.masking.strategy, c.masking.params).config?.params ?? c.masking.params;
  const list = Object.entries(params).map(([k, v]) => `${k} = ${v}`).join(', ');
  const strategy = `Masking: ${s ? `${s.name} (\`${s.id}\`): ${s.description}` : `\`${c.masking.strategy}\``} Parameters: ${list}.`;
  const o = objectiveById(c.objective);
  return `${strategy}\n\nObjective: ${o ? o.describe(objectiveParams(c, o)) : c.objective}`;
}

function training(x: CardInput): string {
  const t = x.run.config.train;
  const T = x.run.config.model.T;
  return `${count(x.run.step)} steps${x.run.step !== t.steps ? ` (of ${count(t.steps)} planned)` : ''} of ${t.batch} sequences × ${T} tokens (${count(x.run.step * t.batch * T)} token positions), AdamW (lr ${t.lr}, ${t.decay === 'constant' ? 'constant' : `${t.decay} decay`} after ${plural(t.warmupSteps, 'warm-up step')}, β ${t.beta1}/${t.beta2}, weight decay ${t.weightDecay}, gradient clip ${t.maxGradNorm}), seed ${t.seed}, preset \`${x.run.config.preset}\`. Trained in a web browser on WebGPU by masklab.`;
}

function metrics(x: CardInput): string {
  const e = x.run.lastEval;
  if (!e) return 'No held-out evaluation ran before this export.';
  const rows: [string, string][] = [];
  const mlm = x.which === 'bert' ? 'MLM' : 'Generator MLM';
  // A uniform generator (RTS) has no MLM: its loss and accuracy are reported as 0.
  if (!(x.which !== 'bert' && x.run.config.electra.uniformGenerator)) {
    rows.push([`${mlm} loss (fixed mask: 15%, all [MASK])`, `${fmt(e.loss)} nats (perplexity ${fmt(Math.exp(e.loss), 3)})`]);
    rows.push([`${mlm} accuracy (fixed mask)`, `${pct(e.accuracy)} of ${count(e.count)} masked tokens`]);
  }
  if (e.own && x.which === 'bert') rows.push(['MLM loss / accuracy (the run\'s own masking)', `${fmt(e.own.loss)} / ${pct(e.own.accuracy)}`]);
  const d = e.values;
  if (d && x.which === 'discriminator') {
    rows.push(['Discriminator ROC AUC', fmt(d.auc, 3)], ['Discriminator accuracy (p ≥ ½)', pct(d.discAccuracy)], ['Discriminator precision / recall', `${pct(d.precision)} / ${pct(d.recall)}`], ['Discriminator BCE', fmt(d.discLoss)]);
  }
  // The probes read the encoder (BERT) or the discriminator (ELECTRA): not the generator's card.
  const p = x.which === 'generator' ? undefined : x.run.probe;
  for (const t of p?.tasks ?? []) {
    const init = t.initial === null ? '' : `untrained ${pct(t.initial)}, `;
    rows.push([`Linear probe at step ${count(p!.step)}: ${t.label} (best layer, held-out documents)`, `${pct(t.accuracy)} (${t.layer}; ${init}majority class ${pct(t.majority)})`]);
  }
  return [`On the held-out split at step ${count(e.step)}:`, '', '| metric | value |', '|---|---|', ...rows.map(([k, v]) => `| ${k} | ${v} |`)].join('\n');
}

function usage(x: CardInput): string {
  const text = exampleText(x.run.config);
  const names = x.which === 'discriminator' ? 'env, AutoModel, AutoTokenizer' : 'env, pipeline';
  const env = [`import { ${names} } from '@huggingface/transformers';`, '', 'env.allowLocalModels = true;      // read the model from your own site…', 'env.allowRemoteModels = false;    // …not from the Hugging Face Hub', "env.localModelPath = './models/'; // this folder, saved as ./models/my-model/"];
  const js =
    x.which === 'discriminator'
      ? [...env, '', "const tokenizer = await AutoTokenizer.from_pretrained('my-model');", "const model = await AutoModel.from_pretrained('my-model');", `const { logits } = await model(tokenizer(${JSON.stringify(text.replace('[MASK]', 'door'))}));`, 'console.log(logits.tolist()); // (1, tokens): > 0 reads "replaced"']
      : [...env, '', "const fill = await pipeline('fill-mask', 'my-model');", `console.log(await fill(${JSON.stringify(text)})); // the top 5 for the first [MASK]`];
  const cls = CLASSES[x.which];
  const py = [
    `from transformers import AutoTokenizer, ${cls}`,
    '',
    'tok = AutoTokenizer.from_pretrained("my-model")  # tokenizer.json',
    `model = ${cls}.from_pretrained("my-model")  # model.safetensors`,
    `logits = model(**tok(${JSON.stringify(x.which === 'discriminator' ? text.replace('[MASK]', 'door') : text)}, truncation=True, return_tensors="pt")).logits`,
  ];
  return [
    'transformers.js (in a web page, or Node) runs `onnx/model.onnx` with onnxruntime:',
    '',
    '```js',
    ...js,
    '```',
    '',
    'Python transformers reads `model.safetensors` and `config.json`:',
    '',
    '```python',
    ...py,
    '```',
    '',
    '`onnx/model.onnx` also runs on its own (onnxruntime, any ONNX runtime): inputs `input_ids` and `attention_mask`, int64 (batch, sequence); output `logits`, float ' + (x.which === 'discriminator' ? '(batch, sequence).' : '(batch, sequence, vocabulary).'),
  ].join('\n');
}

/** README.md for one exported model folder. */
export function modelCard(x: CardInput): string {
  const c = x.run.config;
  const source = c.data.source === 'brown' ? 'Brown' : c.data.source === 'text' ? 'own text' : c.data.source;
  return [
    frontMatter(x),
    '',
    `# masklab ${TITLES[x.which]} — ${c.preset}, ${source}, ${count(x.run.step)} steps`,
    '',
    'A tiny model trained from scratch in a web browser with masklab, exported with its tokenizer for transformers.js, Python transformers and ONNX runtimes. It is small and briefly trained: for experiments and teaching, not for production use.',
    '',
    '## Architecture',
    '',
    architecture(x),
    '',
    '## Data',
    '',
    data(x),
    '',
    '## Tokenizer',
    '',
    tokenizer(x),
    '',
    '## Masking and objective',
    '',
    masking(x),
    '',
    '## Training',
    '',
    training(x),
    '',
    '## Held-out metrics',
    '',
    metrics(x),
    '',
    '## How to use',
    '',
    usage(x),
    '',
    '## Files',
    '',
    '`config.json`, `model.safetensors` (weights, transformers names), `tokenizer.json`, `tokenizer_config.json`, `vocab.txt`, `onnx/model.onnx` (the same weights as an ONNX graph), this `README.md`.',
    '',
  ].join('\n');
}
