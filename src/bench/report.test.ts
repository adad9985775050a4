import { describe, expect, it } from 'vitest';
import type { CaseResult } from './harness.ts';
import { markdownReport, refusal } from './report.ts';

const timing = (median: number, dispatches = 0) => ({ blocks: [median], median, q1: median, q3: median, counts: { dispatches, bindGroupsCreated: 0, writeBufferBytes: 0, writeBufferCalls: 0, mapAsyncCalls: 0, submits: 1 } });

describe('peer bench report', () => {
  it('gives each case its speedups, the geometric means by kind, and the call counts of non-kernel cases', () => {
    const results: CaseResult[] = [
      { name: 'train m', k: 1, kind: 'train', runtimes: { ours: timing(2, 70), tfjs: timing(8, 1000) }, speedup: { tfjs: 4 }, check: { ok: true, detail: 'same loss', maxAbsDiff: 0 } },
      { name: 'matmul', k: 10, kind: 'kernel', flops: 2e9, runtimes: { ours: timing(1000), tfjs: timing(1000) }, speedup: { tfjs: 1 } },
    ];
    const md = markdownReport({ adapter: 'test / gpu', browser: 'Chrome/1', date: 'today', reps: 20, blockMs: 1000 }, results);
    expect(md).toContain('Adapter: **test / gpu**');
    expect(md).toContain('| train m (k=1) | 2.00 [2.00–2.00] | 8.00 [8.00–8.00] | 4.00× | – | ✓ same loss |');
    expect(md).toContain('| matmul (k=10) | 1000 [1000–1000] | 1000 [1000–1000] | 1.00× | 2.00 / 2.00 |');
    expect(md).toContain('Geometric mean speedup vs tfjs (webgpu): 2.00× (training 4.00×, forward –, kernels 1.00×).');
    expect(md).toContain('| train m | masklab | 70 | 0 | 0 / 0 | 0 | 1 |');
    expect(md).not.toContain('| matmul | masklab');
  });
});

describe('refusal', () => {
  it('lists every failed check instead of timings', () => {
    expect(refusal(['train bert-micro: loss 3.1 vs 3.2', 'AdamW: m differs'])).toBe('The equal-work check failed, so no timings are reported:\n  - train bert-micro: loss 3.1 vs 3.2\n  - AdamW: m differs');
  });
});
