// Drives one soak on an open page of the built app: trains a preset with every view open for the
// whole duration (a run that ends is started again, so models are built and freed many times)
// and samples heaps, live GPU buffers, DOM nodes and ms/step. Shared by the CLI (cli/soak.ts,
// which builds, serves and launches) and CI's spec (e2e/soak.spec.ts, on its own server and
// browser). Judging the samples is soak-stats.ts's job; this file only measures.
import type { CDPSession, Page } from 'playwright';
import type { GpuStats } from '../src/train/protocol.ts';
import type { SoakSample } from './soak-stats.ts';

export interface SoakOptions {
  /** Base URL of the app (vite preview). */
  url: string;
  minutes: number;
  /** Seconds between samples (60 for a real soak; less for short CI runs). */
  sampleSeconds: number;
  preset: string;
  /** Steps per run: short enough that runs end and restart several times. */
  steps: number;
  log?: (line: string) => void;
}

const MiB = 2 ** 20;
/** Reads of the live-buffer count per sample; the least is kept (transient buffers excluded). */
const BURST = 5;
const BURST_GAP_MS = 150;

/** A soak whose step and state stay the same this long has hung (SwiftShader builds a model in seconds). */
const STALL_MS = 5 * 60_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The engine worker's CDP target, reached from a browser session with Target.sendMessageToTarget
 * (Playwright offers CDP sessions for pages only). Null results when the worker cannot be reached:
 * its heap is then reported as NaN, never a failure.
 */
class WorkerTarget {
  private sessionId: string | null = null;
  private nextId = 1;
  private pending = new Map<number, (msg: { result?: unknown; error?: unknown }) => void>();

  constructor(private readonly browser: CDPSession) {
    browser.on('Target.receivedMessageFromTarget', (e) => {
      const msg = JSON.parse(e.message) as { id?: number; result?: unknown; error?: unknown };
      if (msg.id !== undefined) this.pending.get(msg.id)?.(msg);
    });
    browser.on('Target.detachedFromTarget', (e) => {
      if (e.sessionId === this.sessionId) this.sessionId = null;
    });
  }

  private async attach(): Promise<string | null> {
    if (this.sessionId) return this.sessionId;
    const { targetInfos } = await this.browser.send('Target.getTargets');
    const worker = targetInfos.find((t) => t.type === 'worker');
    if (!worker) return null;
    const { sessionId } = await this.browser.send('Target.attachToTarget', { targetId: worker.targetId, flatten: false });
    return (this.sessionId = sessionId);
  }

  async send<T>(method: string, params: object = {}): Promise<T | null> {
    const sessionId = await this.attach().catch(() => null);
    if (!sessionId) return null;
    const id = this.nextId++;
    const answer = new Promise<{ result?: unknown; error?: unknown } | null>((resolve) => {
      this.pending.set(id, resolve);
      setTimeout(() => resolve(null), 10_000);
    });
    await this.browser.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method, params }) }).catch(() => null);
    const msg = await answer;
    this.pending.delete(id);
    return msg && !msg.error ? (msg.result as T) : null;
  }

  /** usedSize after a forced GC, in MiB; NaN if unreachable. */
  async heapMiB(): Promise<number> {
    await this.send('HeapProfiler.collectGarbage');
    const usage = await this.send<{ usedSize: number }>('Runtime.getHeapUsage');
    return usage ? usage.usedSize / MiB : NaN;
  }
}

/** What the status line says now: the engine's last metric step and its clock, and the run state. */
async function readStatus(page: Page): Promise<{ step: number; ms: number; state: string }> {
  const line = page.getByTestId('status-line');
  return {
    step: Number(await line.getAttribute('data-metric-step')),
    ms: Number(await line.getAttribute('data-elapsed-ms')),
    state: (await page.getByTestId('run-state').innerText()).trim(),
  };
}

/** The engine's counters through the page (client.ts window.masklab); an engine that stays silent fails the soak. */
const gpuStats = (page: Page) =>
  page.evaluate(async (ms) => {
    const answer = (globalThis as unknown as { masklab: { gpuStats(): Promise<GpuStats | null> } }).masklab.gpuStats();
    const silent = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`the engine did not answer 'stats' in ${ms / 1000} s`)), ms));
    return Promise.race([answer, silent]);
  }, 30_000);

/** Fails the soak with the page's own words when a banner says something went wrong. */
async function checkBanners(page: Page): Promise<void> {
  for (const id of ['error-banner', 'divergence-banner']) {
    const b = page.getByTestId(id);
    if ((await b.count()) > 0) throw new Error(`The app showed ${id}: ${(await b.first().innerText()).replace(/\s+/g, ' ')}`);
  }
}

export async function runSoak(page: Page, opts: SoakOptions): Promise<SoakSample[]> {
  const log = opts.log ?? (() => undefined);
  await page.goto(`${opts.url}/#preset=${encodeURIComponent(opts.preset)}&steps=${opts.steps}`);
  await page.getByTestId('train-button').waitFor({ timeout: 120_000 });
  const toggle = page.getByTestId('views-toggle');
  if (!(await toggle.isChecked())) await toggle.click();
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const browser = page.context().browser();
  const worker = browser ? new WorkerTarget(await browser.newBrowserCDPSession()) : null;

  let runs = 1;
  let last = { step: 0, ms: 0 };
  let interval = { steps: 0, ms: 0 };
  let progress = { step: -1, state: '', at: performance.now() };

  /** Reads the status, restarts a run that ended, and adds the steps since the last poll to the interval. */
  async function poll(): Promise<string> {
    await checkBanners(page);
    const now = await readStatus(page);
    // A new run's clock and steps start again from 0: its first reading is a new baseline.
    if (now.step >= last.step) {
      interval = { steps: interval.steps + now.step - last.step, ms: interval.ms + now.ms - last.ms };
    }
    last = { step: now.step, ms: now.ms };
    if (now.state === 'done') {
      await page.getByTestId('train-button').click(); // a new run from fresh weights (RunControls)
      runs++;
      last = { step: 0, ms: 0 };
    } else if (now.state === 'paused') {
      throw new Error(`The run paused at step ${now.step} without being asked to.`);
    }
    // 'idle' is normal for a moment (configured, start queued behind the untrained probes); longer is a hang.
    if (now.step !== progress.step || now.state !== progress.state) progress = { step: now.step, state: now.state, at: performance.now() };
    else if (performance.now() - progress.at > STALL_MS) throw new Error(`No progress for ${STALL_MS / 60_000} min (state ${now.state}, step ${now.step}).`);
    return now.state;
  }

  /** The least live-buffer count over a burst of reads taken while a run trains (none mid-reset). */
  async function liveBuffers(): Promise<GpuStats> {
    for (;;) {
      let least: GpuStats | null = null;
      for (let i = 0; i < BURST; i++) {
        if ((await poll()) !== 'running') break;
        const s = await gpuStats(page);
        // Read again after: a reset that began meanwhile may have freed the run before the read.
        if (s && (await poll()) === 'running' && (!least || s.liveBuffers < least.liveBuffers)) least = s;
        await sleep(BURST_GAP_MS);
      }
      if (least) return least;
      await sleep(1000); // between runs: wait for the next one to train
    }
  }

  async function sample(t0: number): Promise<SoakSample> {
    const stats = await liveBuffers();
    await cdp.send('HeapProfiler.collectGarbage');
    const metrics = new Map((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));
    const s: SoakSample = {
      minute: (performance.now() - t0) / 60_000,
      pageHeapMiB: (metrics.get('JSHeapUsedSize') ?? NaN) / MiB,
      workerHeapMiB: worker ? await worker.heapMiB() : NaN,
      liveBuffers: stats.liveBuffers,
      liveMiB: stats.liveBytes / MiB,
      domNodes: metrics.get('Nodes') ?? NaN,
      listeners: metrics.get('JSEventListeners') ?? NaN,
      msPerStep: interval.steps > 0 ? interval.ms / interval.steps : NaN,
      steps: interval.steps,
      runs,
    };
    interval = { steps: 0, ms: 0 };
    log(`sample at ${s.minute.toFixed(2)} min: ${s.liveBuffers} GPU buffers (${s.liveMiB.toFixed(2)} MiB), page heap ${s.pageHeapMiB.toFixed(2)} MiB, worker heap ${s.workerHeapMiB.toFixed(2)} MiB, ${s.domNodes} DOM nodes, ${s.msPerStep.toFixed(1)} ms/step over ${s.steps} steps, run ${runs}`);
    return s;
  }

  await page.getByTestId('train-button').click();
  while (last.step < 1) {
    await poll();
    await sleep(500);
  }
  const t0 = performance.now();
  log(`training ${opts.preset} (${opts.steps} steps a run) with every view open for ${opts.minutes} min, a sample every ${opts.sampleSeconds} s`);
  const samples = [await sample(t0)];
  const end = opts.minutes * 60_000;
  for (let next = opts.sampleSeconds * 1000; next <= end + 1; next += opts.sampleSeconds * 1000) {
    while (performance.now() - t0 < next) {
      await poll();
      await sleep(Math.min(1000, Math.max(0, next - (performance.now() - t0))));
    }
    samples.push(await sample(t0));
  }
  await cdp.detach().catch(() => undefined);
  return samples;
}
