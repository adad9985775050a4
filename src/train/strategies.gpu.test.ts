// Every masking strategy of the registry trains on the real engine: a few steps, the mask
// statistics of the steps, and the held-out eval on the fixed mask and on the strategy's own mask.
// The ones that need Brown (its tags, or a corpus to learn a PMI lexicon from) go through the CLI
// in e2e/masks.spec.ts instead: GPU tests do not load Brown. One browser for all of them; the
// masks themselves are checked against their CPU twins bit for bit in src/masking/lab.gpu.test.ts.
import { describe, expect, it } from 'vitest';
import { testGpu } from '../gpu/testing.ts';
import { STRATEGIES } from '../masking/registry.ts';
import { presetConfig } from '../model/config.ts';
import type { EngineEvent } from './protocol.ts';
import { TrainingSession } from './session.ts';

const noBrown = () => Promise.reject(new Error('no Brown here'));
/** Strategies whose needs the synthetic task meets (no part-of-speech tags, no PMI lexicon). */
const SYNTHETIC_STRATEGIES = STRATEGIES.filter((s) => !s.needs.includes('tags') && !s.needs.includes('lexicon'));

describe('every masking strategy trains', () => {
  for (const s of SYNTHETIC_STRATEGIES) {
    it(`${s.id}: steps with mask statistics, the fixed and own-mask evals`, async () => {
      const cfg = presetConfig('bert-micro');
      cfg.masking = { strategy: s.id, params: {} };
      cfg.train.steps = 5;
      cfg.train.evalEvery = 5;
      cfg.train.logEvery = 1;
      const events: EngineEvent[] = [];
      const session = await TrainingSession.create(await testGpu(), cfg, (e) => events.push(e), noBrown);
      await session.train(cfg.train.steps, () => false);
      const m = session.history.metrics;
      expect(m).toHaveLength(5);
      expect(session.info.masking.strategy).toBe(s.id);
      expect(m.every((p) => Number.isFinite(p.loss) && p.mask.achievedRate > 0)).toBe(true);
      const e = session.history.evals;
      expect(e).toHaveLength(1);
      expect(e[0]!.count).toBeGreaterThan(0);
      expect(e[0]!.own.count).toBeGreaterThan(0);
      expect(Number.isFinite(e[0]!.own.loss)).toBe(true);
      expect(events.some((x) => x.type === 'run-error' || x.type === 'diverged')).toBe(false);
      session.destroy();
    });
  }
});
