import { describe, expect, it } from 'vitest';
import { fingerprint, tuneError } from './autotune.ts';
import { matmulProductKey, parseMatmulProductKey } from '../model/ops/matmul.ts';

describe('autotune helpers', () => {
  it('tuneError: relative to the largest entry below 1% of it, Infinity for any non-finite or missing output', () => {
    const want = Float32Array.from([100, 1, -50]);
    expect(tuneError(Float32Array.from([100, 1, -50]), want)).toBe(0);
    expect(tuneError(Float32Array.from([100, 1.5, -50]), want)).toBeCloseTo(0.5, 6); // 0.5 / max(1, 1% of 100)
    expect(tuneError(Float32Array.from([101, 1, -50]), want)).toBeCloseTo(0.01, 6);
    expect(tuneError(Float32Array.from([100, NaN, -50]), want)).toBe(Infinity);
    expect(tuneError(Float32Array.from([100, Infinity, -50]), want)).toBe(Infinity);
    expect(tuneError(Float32Array.from([100, 1]), want)).toBe(Infinity);
  });

  it('fingerprint changes with the text', () => {
    expect(fingerprint('matmul.wgsl v1')).toMatch(/^[0-9a-f]{8}$/);
    expect(fingerprint('matmul.wgsl v1')).toBe(fingerprint('matmul.wgsl v1'));
    expect(fingerprint('matmul.wgsl v1')).not.toBe(fingerprint('matmul.wgsl v2'));
  });

  it('matmul product keys round-trip and other keys are not parsed', () => {
    const pr = { transA: true, transB: false, rows: 128, inner: 256, cols: 4096 };
    expect(matmulProductKey(pr)).toBe('matmul TN 128x256x4096');
    expect(parseMatmulProductKey(matmulProductKey(pr))).toEqual(pr);
    expect(parseMatmulProductKey('softmax 128x64')).toBeNull();
  });
});
