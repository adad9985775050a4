// Test helper for the end-to-end training tests: a session on a preset's config (synthetic data:
// no Brown), trained to its last step, with every event it posted and the wall time.
import type { Gpu } from '../gpu/device.ts';
import type { RunConfig } from '../model/config.ts';
import type { EngineEvent } from './protocol.ts';
import { TrainingSession } from './session.ts';

export async function trainToEnd(gpu: Gpu, cfg: RunConfig): Promise<{ session: TrainingSession; events: EngineEvent[]; secs: number }> {
  const events: EngineEvent[] = [];
  const noBrown = () => Promise.reject(new Error('not used'));
  const session = await TrainingSession.create(gpu, cfg, (e) => events.push(e), noBrown);
  const t0 = performance.now();
  await session.train(cfg.train.steps, () => false);
  return { session, events, secs: (performance.now() - t0) / 1000 };
}
