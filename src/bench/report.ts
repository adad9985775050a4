// The peer benchmark's Markdown tables: per case, each runtime's median ms per iteration (with the
// interquartile range), our speedup over each peer (peer / ours: > 1 = we are faster) and its
// geometric mean, GFLOP/s where the case has a FLOP count, the equal-work check; then the WebGPU
// calls per iteration of every runtime. Pure.
import { geomean, type CaseResult } from './harness.ts';
import type { RuntimeId } from './types.ts';

/** What a run whose equal-work checks failed prints instead of timings. */
export function refusal(failures: readonly string[]): string {
  return `The equal-work check failed, so no timings are reported:\n${failures.map((f) => `  - ${f}`).join('\n')}`;
}

export const PEERS: RuntimeId[] = ['untuned', 'tfjs', 'ort-webgpu', 'ort-wasm'];
const NAMES: Record<RuntimeId, string> = { ours: 'masklab', untuned: 'masklab, default kernels', tfjs: 'tfjs (webgpu)', 'ort-webgpu': 'onnxruntime-web (webgpu)', 'ort-wasm': 'onnxruntime-web (wasm)' };

const ms = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x >= 1 ? x.toFixed(2) : x.toFixed(3));
const times = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? '–' : `${x.toFixed(2)}×`);

export interface ReportHeader {
  adapter: string;
  date: string;
  reps: number;
  blockMs: number;
  browser: string;
}

export function markdownReport(h: ReportHeader, results: CaseResult[]): string {
  const peers = PEERS.filter((p) => results.some((r) => r.runtimes[p]));
  const lines: string[] = [];
  lines.push(`Adapter: **${h.adapter}** · ${h.browser} · ${h.date} · ${h.reps} timed blocks per runtime, interleaved (A B C, B C A, …) after a warm-up, each block k iterations queued at once and waited for once (k per case, so a block lasts ≈ ${h.blockMs} ms); median ms per iteration [interquartile range].`);
  lines.push('');
  const ours = peers.includes('untuned') ? 'masklab, tuned on this adapter' : NAMES.ours;
  lines.push(`| case | ${[ours, ...peers.map((p) => NAMES[p])].join(' | ')} | ${peers.map((p) => `speedup vs ${p}`).join(' | ')} | GFLOP/s (ours / tfjs) | equal work |`);
  lines.push(`|${'---|'.repeat(2 + 2 * peers.length + 2)}`);
  for (const r of results) {
    const cell = (id: RuntimeId) => {
      const t = r.runtimes[id];
      return t ? `${ms(t.median)} [${ms(t.q1)}–${ms(t.q3)}]` : '–';
    };
    const gf = (id: RuntimeId) => (r.flops && r.runtimes[id] ? (r.flops / (r.runtimes[id]!.median / 1000) / 1e9).toFixed(2) : '–');
    const check = r.check ? `${r.check.ok ? '✓' : '✗ NOT TIMED'} ${r.check.detail}` : '';
    lines.push(`| ${r.name} (k=${r.k}) | ${[cell('ours'), ...peers.map(cell)].join(' | ')} | ${peers.map((p) => times(r.speedup[p])).join(' | ')} | ${r.flops ? `${gf('ours')} / ${gf('tfjs')}` : '–'} | ${check} |`);
  }
  const kinds: CaseResult['kind'][] = ['train', 'forward', 'kernel'];
  for (const p of peers) {
    const per = kinds.map((k) => geomean(results.filter((r) => r.kind === k).map((r) => r.speedup[p] ?? NaN)));
    const all = geomean(results.map((r) => r.speedup[p] ?? NaN));
    lines.push('');
    lines.push(`Geometric mean speedup vs ${NAMES[p]}: ${times(all)} (training ${times(per[0])}, forward ${times(per[1])}, kernels ${times(per[2])}).`);
  }
  lines.push('');
  lines.push('WebGPU calls per iteration (counted by wrapping the WebGPU methods on the page):');
  lines.push('');
  lines.push('| case | runtime | dispatches | bind groups created | writeBuffer calls / bytes | mapAsync | submits |');
  lines.push('|---|---|---|---|---|---|---|');
  const n = (x: number) => (Number.isInteger(x) ? String(x) : x.toFixed(1));
  for (const r of results) {
    if (r.kind === 'kernel') continue;
    for (const [id, t] of Object.entries(r.runtimes) as [RuntimeId, NonNullable<CaseResult['runtimes'][RuntimeId]>][]) {
      const c = t.counts;
      if (!c || id === 'ort-wasm') continue; // WASM makes no WebGPU calls
      lines.push(`| ${r.name} | ${NAMES[id]} | ${n(c.dispatches)} | ${n(c.bindGroupsCreated)} | ${n(c.writeBufferCalls)} / ${n(c.writeBufferBytes)} | ${n(c.mapAsyncCalls)} | ${n(c.submits)} |`);
    }
  }
  return lines.join('\n') + '\n';
}
