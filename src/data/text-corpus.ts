// A user's own text (pasted, or a .txt file) as a corpus: checked (empty, binary, too short),
// split into documents (blank-line paragraphs, packed to DOC_WORDS words, at least MIN_DOCS so
// the every-10th held-out split has documents) and words (splitWords, as for a probe sentence),
// in the BrownCorpus shape, so the Brown pipeline (split, tokenizer, batches, PMI) serves it
// unchanged. It has no POS tags: every word gets the tag "nil". Runs in the training worker,
// with progress reports for large files. What it does not do: read files (the caller passes the
// bytes) or learn a tokenizer (dataset.ts does, at configure).

import type { BrownCorpus, BrownDoc } from './brown.ts';
import { splitWords } from './tokenizer.ts';

/** Fewer words than this cannot fill a held-out split and a few training batches. */
export const MIN_WORDS = 1000;
const DOC_WORDS = 400;
const MIN_DOCS = 20;

export class CorpusError extends Error {
  constructor(
    message: string,
    readonly hint: string,
  ) {
    super(message);
  }
}

/** The bytes as UTF-8 text, or a CorpusError saying why it is not usable text. */
export function decodeText(bytes: Uint8Array, name: string): string {
  const what = `"${name}"`;
  if (bytes.length === 0) throw new CorpusError(`${what} is empty.`, 'Choose a plain-text file with a few pages of prose (at least 1,000 words), or paste text.');
  const nul = bytes.subarray(0, 1 << 16).indexOf(0);
  if (nul >= 0) throw new CorpusError(`${what} is not a text file: it contains a zero byte at offset ${nul}, as binary files (images, PDFs, archives) do.`, 'Save the text as a .txt file (UTF-8) and upload that.');
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new CorpusError(`${what} is not UTF-8 text.`, 'Save it as plain text in UTF-8 (most editors have "Save as… UTF-8") and upload it again.');
  }
  if (text.trim().length === 0) throw new CorpusError(`${what} holds only whitespace.`, 'Choose a file with prose in it, or paste text.');
  return text;
}

/**
 * Parses `text` into a corpus; `progress(done, total)` is called every few hundred KB.
 * Throws CorpusError when it holds fewer than MIN_WORDS words.
 */
export function parseTextCorpus(text: string, name: string, progress: (done: number, total: number) => void = () => {}): BrownCorpus {
  const paragraphs = text.split(/\n\s*\n/);
  const words: string[] = [];
  const paraStart: number[] = [];
  let done = 0;
  let nextReport = 0;
  for (const p of paragraphs) {
    paraStart.push(words.length);
    for (const w of splitWords(p)) words.push(w);
    done += p.length + 2;
    if (done >= nextReport) {
      progress(Math.min(done, text.length), text.length);
      nextReport = done + (1 << 18);
    }
  }
  progress(text.length, text.length);
  if (words.length < MIN_WORDS) {
    throw new CorpusError(`"${name}" has ${words.length} words; a run needs at least ${MIN_WORDS.toLocaleString('en-US')} (training batches plus a held-out tenth).`, 'Paste or upload more text.');
  }
  // Documents: paragraphs packed up to DOC_WORDS words, smaller when that gives too few documents.
  const size = Math.max(20, Math.min(DOC_WORDS, Math.floor(words.length / MIN_DOCS)));
  const starts: number[] = [0];
  for (const s of paraStart) if (s - starts.at(-1)! >= size) starts.push(s);
  for (let k = 0; k < starts.length; k++) {
    const end = starts[k + 1] ?? words.length;
    if (end - starts[k]! > 2 * size) starts.splice(k + 1, 0, starts[k]! + size); // one huge paragraph
  }
  // Lexicon by frequency (most frequent first), as in the Brown build.
  const counts = new Map<string, number>();
  for (const w of words) counts.set(w, (counts.get(w) ?? 0) + 1);
  const lexicon = [...counts.keys()].sort((a, b) => counts.get(b)! - counts.get(a)! || (a < b ? -1 : 1));
  const id = new Map(lexicon.map((w, i) => [w, i]));
  const wordIds = Uint32Array.from(words, (w) => id.get(w)!);
  const sentenceStart = new Uint8Array(words.length);
  words.forEach((_, i) => (sentenceStart[i] = i === 0 || /^[.!?]$/.test(words[i - 1]!) ? 1 : 0));
  const docs: BrownDoc[] = starts.map((start, k) => ({ id: `${name}#${k + 1}`, category: 'text', start, end: starts[k + 1] ?? words.length }));
  return { lexicon, tagNames: ['nil'], docs, wordIds, tagIds: new Uint16Array(words.length), sentenceStart };
}
