import { describe, expect, it } from 'vitest';
import { isMaskingDispatch, timeByKernel } from './bench.ts';

describe('timeByKernel', () => {
  it('groups dispatches by kernel (the label without its tensor name), largest total first', () => {
    const got = timeByKernel([
      { label: 'matmul l0.qkv', ms: 2 },
      { label: 'layernorm l0.ln1', ms: 0.5 },
      { label: 'matmul backward l0.dqkv', ms: 1 },
      { label: 'matmul l0.fc', ms: 3 },
      { label: 'matmul backward l0.dfc', ms: 4.5 },
      { label: 'submit', ms: 0.25 },
    ]);
    expect(got).toEqual([
      { kernel: 'matmul backward', dispatches: 2, ms: 5.5 },
      { kernel: 'matmul', dispatches: 2, ms: 5 },
      { kernel: 'layernorm', dispatches: 1, ms: 0.5 },
      { kernel: 'submit', dispatches: 1, ms: 0.25 },
    ]);
  });

  it('is empty for no timings', () => {
    expect(timeByKernel([])).toEqual([]);
  });
});

describe('isMaskingDispatch', () => {
  it('knows the masking stage by its labels', () => {
    expect(isMaskingDispatch('random_masking inputs')).toBe(true);
    expect(isMaskingDispatch('lab_write inputs')).toBe(true);
    expect(isMaskingDispatch('matmul l0.qkv')).toBe(false);
  });
});
