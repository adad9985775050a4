// Shared by the CLIs: build the app if its sources changed, serve dist/ on localhost, open
// headless.html in Chromium with WebGPU, and talk to the engine there with the worker protocol.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright';
import { build, preview } from 'vite';
import type { EngineCommand, EngineEvent } from '../src/train/protocol.ts';
import type { WireCommand, WireEvent } from '../src/train/protocol.ts';
import type { PeerBenchOptions, PeerBenchResult } from '../src/bench/types.ts';
import { buildCorpus } from './build-corpus.ts';
import { chromiumArgs, findChromium, type GpuMode } from './chromium.ts';

/** What src/headless.ts puts on the page's window. */
interface HeadlessWindow {
  masklab?: { send(cmd: WireCommand): Promise<void>; peers(opts: PeerBenchOptions): Promise<PeerBenchResult>; ready: true };
}

const ROOT = resolve(import.meta.dirname, '..');
const INPUTS = ['src', 'public', 'index.html', 'headless.html', 'vite.config.ts', 'package.json'];

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let m = st.mtimeMs;
  for (const e of readdirSync(path)) m = Math.max(m, newestMtime(join(path, e)));
  return m;
}

/** Builds the corpus if needed, then rebuilds dist/ when any app source is newer than it. */
export async function ensureBuilt(log: (line: string) => void): Promise<void> {
  buildCorpus({ log });
  const built = join(ROOT, 'dist', 'headless.html');
  const stale = !existsSync(built) || INPUTS.some((p) => newestMtime(join(ROOT, p)) > statSync(built).mtimeMs);
  if (!stale) return;
  log('building the app (vite build) ...');
  await build({ root: ROOT, logLevel: 'warn' });
}

export interface HeadlessSession {
  page: Page;
  browser: Browser;
  url: string;
  chromiumPath: string;
  args: string[];
  /** Sends a command; events arrive at the `onEvent` given to openHeadless. */
  send(cmd: EngineCommand): Promise<void>;
  /** Runs the peer benchmark on the page (logs arrive as 'log' events). */
  peers(opts: PeerBenchOptions): Promise<PeerBenchResult>;
  close(): Promise<void>;
}

export async function openHeadless(opts: { gpuMode: GpuMode; onEvent: (e: EngineEvent) => void }): Promise<HeadlessSession> {
  if (!existsSync(join(ROOT, 'dist', 'headless.html'))) throw new Error('dist/ is missing: run `npm run build` first.');
  const server = await preview({ root: ROOT, logLevel: 'silent', preview: { host: '127.0.0.1', port: 0, strictPort: false, open: false } });
  const address = server.httpServer.address();
  if (!address || typeof address === 'string') throw new Error('preview server has no port');
  const url = `http://127.0.0.1:${address.port}/headless.html`;
  const chromiumPath = findChromium().path;
  const args = chromiumArgs(opts.gpuMode);
  let browser: Browser;
  try {
    browser = await chromium.launch({ executablePath: chromiumPath, args, headless: true });
  } catch (e) {
    await server.close();
    throw e;
  }
  const page = await browser.newPage();
  page.on('pageerror', (err) => console.error(`[page error] ${err.message}`));
  // The page runs under the app's Content-Security-Policy (cli/csp.ts): say when it refused something.
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) console.error(`[csp] ${m.text()}`);
  });
  await page.exposeFunction('masklabEmit', (e: WireEvent) => opts.onEvent(fromWire(e)));
  await page.goto(url);
  await page.waitForFunction(() => (window as HeadlessWindow).masklab?.ready === true);
  return {
    page,
    browser,
    url,
    chromiumPath,
    args,
    send: (cmd) => page.evaluate((c) => (window as HeadlessWindow).masklab!.send(c), toWire(cmd)),
    peers: (o) => page.evaluate((x) => (window as HeadlessWindow).masklab!.peers(x), o),
    async close() {
      await browser.close();
      await server.close();
    },
  };
}

// The page bridge carries JSON: file bytes cross it as base64 (src/headless.ts).
const buf = (b64: string): ArrayBuffer => {
  const b = Buffer.from(b64, 'base64');
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
};

function fromWire(e: WireEvent): EngineEvent {
  if (e.type === 'exported') return { type: 'exported', files: e.files.map((f) => ({ path: f.path, bytes: buf(f.bytes) })) };
  if (e.type === 'checkpoint') return { ...e, bytes: buf(e.bytes) };
  return e;
}

const toWire = (c: EngineCommand): WireCommand => (c.type === 'restore' ? { ...c, bytes: Buffer.from(c.bytes).toString('base64') } : c);
