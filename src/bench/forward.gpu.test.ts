// The forward case's equal-work check on the real runtimes: our engine's logits at every position
// and onnxruntime-web's (WebGPU and WASM execution providers) on the same weights and inputs.
import { describe, expect, it } from 'vitest';
import { testGpu } from '../gpu/testing.ts';
import { presetConfig } from '../model/config.ts';
import { forwardCase } from './forward.ts';
import { benchVocab } from './train-case.ts';

describe('peer bench: forward case', () => {
  it('bert-micro: onnxruntime-web WebGPU and WASM match our logits (B·T·V values) before any timing', async () => {
    const gpu = await testGpu();
    const cfg = presetConfig('bert-micro');
    cfg.train.batch = 4;
    const c = await forwardCase(gpu, cfg, benchVocab(cfg));
    try {
      console.log(c.check!.detail);
      expect(Object.keys(c.runners).sort()).toEqual(['ort-wasm', 'ort-webgpu', 'ours']);
      expect(c.check!.ok).toBe(true);
      expect(c.check!.maxAbsDiff).toBeLessThanOrEqual(1e-3);
      for (const r of Object.values(c.runners)) await r!.run(2);
    } finally {
      for (const r of Object.values(c.runners)) r!.dispose();
    }
  });
});
