// What the memory check counts besides the model's arena: the probe's arena at its largest (from
// the probe set's bounds) and the buffers outside any arena, for presets on Brown and synthetic data.
import { describe, expect, it } from 'vitest';
import { PROBE_MAX_WORDS, PROBE_ROWS, probeExampleBound, probeTask } from '../data/probe-tasks.ts';
import { presetConfig } from './config.ts';
import { planProbe, probeArenaBound } from './probe-plan.ts';
import { PROBE_POOLS } from './probe-classifier.ts';
import { besidesArenas, runAllowances } from './run-memory.ts';

const ALIGN = 256; // WebGPU's default minStorageBufferOffsetAlignment

describe('run memory', () => {
  it('bounds the probe set by its rows and the POS cap', () => {
    const T = presetConfig('bert-tiny').model.T;
    // A row holds at most T − 2 words; at T = 128 the caps bind first.
    expect(probeExampleBound('pos', T)).toEqual({ train: Math.min(PROBE_MAX_WORDS.train, PROBE_ROWS.train * (T - 2)), test: Math.min(PROBE_MAX_WORDS.test, PROBE_ROWS.test * (T - 2)) });
    expect(probeExampleBound('pos', 4)).toEqual({ train: PROBE_ROWS.train * 2, test: PROBE_ROWS.test * 2 });
    expect(probeExampleBound('genre', T)).toEqual(PROBE_ROWS);
  });

  it('plans the largest probe a Brown run can get, and none where the data has no probe tasks', () => {
    const cfg = presetConfig('bert-tiny');
    const { L, C, T } = cfg.model;
    const tasks = cfg.probe!.tasks.map((id) => ({ id, K: probeTask(id)!.classes.length, ...probeExampleBound(id, T) }));
    const plan = planProbe(tasks, L + 1, C + 1);
    expect(probeArenaBound(cfg, ALIGN)).toBe(plan.bytes(ALIGN));
    // The features dominate: (train + test) examples × (L + 1) layers × (C + 1) floats per task.
    const features = tasks.reduce((a, t) => a + (t.train + t.test) * (L + 1) * (C + 1) * 4, 0);
    expect(plan.bytes(ALIGN)).toBeGreaterThan(features);
    expect([...plan.wholePools].sort()).toEqual([PROBE_POOLS.dw, PROBE_POOLS.m, PROBE_POOLS.v, PROBE_POOLS.w].sort());
    expect(runAllowances(cfg, cfg.data.vocabSize, 1000, ALIGN)[0]).toEqual({ what: 'linear probe (at most)', bytes: plan.bytes(ALIGN) });

    expect(probeArenaBound(presetConfig('bert-micro'), ALIGN)).toBe(0); // synthetic data: no probe
    const none = presetConfig('bert-tiny');
    none.probe = { ...none.probe!, tasks: [] };
    expect(probeArenaBound(none, ALIGN)).toBe(0);
  });

  it('counts the weights’ copies and staging from the params pool', () => {
    const cfg = presetConfig('bert-micro');
    const params = 123_456;
    const items = new Map(besidesArenas(cfg, cfg.data.vocabSize, params).map((x) => [x.what, x.bytes]));
    expect(items.get('roll-back copies')).toBe(2 * 3 * params); // two slots of params, m and v
    expect(items.get('checkpoint staging')).toBe(3 * params);
    expect(items.get('view readback rings')).toBeGreaterThan(0);
  });
});
