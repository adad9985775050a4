// The golden-loss test of issue [J]: 50 seeded steps of bert-micro and electra-micro give the
// per-step losses recorded in golden-loss.json before objectives became plug-ins, bit for bit on
// the adapter they were recorded on (the GPU's sums run in a fixed order, so a refactor that keeps
// the arithmetic keeps every bit). On another adapter exp/log round differently: there the losses
// must agree to a relative 1e-4, which still catches a changed formula, mask or data order.
// Each run prints its JSON: after a deliberate change of the arithmetic, paste it into the file
// (and say why in the commit).
import { describe, expect, it } from 'vitest';
import { testGpu } from '../gpu/testing.ts';
import { presetConfig } from '../model/config.ts';
import golden from './golden-loss.json';
import { trainToEnd } from './testing.ts';

const STEPS = 50;

interface Golden {
  adapter: string;
  recorded: string;
  runs: Record<string, { loss: number[]; discLoss?: number[]; evalLoss: number; evalDiscLoss?: number }>;
}

async function record(preset: string) {
  const gpu = await testGpu();
  const cfg = presetConfig(preset);
  cfg.train.steps = STEPS;
  cfg.train.logEvery = 1;
  cfg.train.evalEvery = STEPS;
  cfg.probe = { ...cfg.probe!, tasks: [] };
  const { session } = await trainToEnd(gpu, cfg);
  const m = session.history.metrics;
  const e = session.history.evals.at(-1)!;
  const run = {
    loss: m.map((p) => p.loss),
    ...(m[0]!.values ? { discLoss: m.map((p) => p.values!.discLoss!) } : {}),
    evalLoss: e.loss,
    ...(e.values ? { evalDiscLoss: e.values.discLoss! } : {}),
  };
  session.destroy();
  return { adapter: `${gpu.report.vendor}/${gpu.report.architecture}`, run };
}

describe('golden losses: 50 seeded steps reproduce the recorded per-step losses', () => {
  for (const preset of ['bert-micro', 'electra-micro'] as const) {
    it(preset, async () => {
      const g = golden as Golden;
      const { adapter, run } = await record(preset);
      console.log(`golden ${preset} on ${adapter}: ${JSON.stringify(run)}`);
      const want = g.runs[preset];
      if (!want) throw new Error(`golden-loss.json has no ${preset}: record it from the JSON printed above`);
      expect(run.loss).toHaveLength(STEPS);
      console.log(`${preset} on ${adapter} (golden from ${g.adapter}): loss ${run.loss[0]!.toFixed(4)} → ${run.loss.at(-1)!.toFixed(4)}, eval ${run.evalLoss.toFixed(4)}`);
      if (adapter === g.adapter) {
        expect(run).toEqual(want);
      } else {
        const close = (a: number[], b: number[]) => a.forEach((x, i) => expect(Math.abs(x - b[i]!)).toBeLessThanOrEqual(1e-4 * Math.abs(b[i]!)));
        close(run.loss, want.loss);
        close([run.evalLoss], [want.evalLoss]);
        if (want.discLoss) close(run.discLoss!, want.discLoss);
      }
    }, 300_000);
  }
});
