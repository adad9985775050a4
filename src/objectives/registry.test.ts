import { describe, expect, it } from 'vitest';
import { compareMetrics, metricCharts, statusLine } from './metrics.ts';
import { OBJECTIVE_IDS, objectiveById, objectiveDefaults, objectiveParams, OBJECTIVES, validateObjective, withMaskingDefaults } from './registry.ts';

describe('objective registry', () => {
  const electra = objectiveById('electra')!;

  it('every objective is well formed: unique ids and URL prefixes, defaults in range, unique CLI flags', () => {
    expect(new Set(OBJECTIVES.map((o) => o.id)).size).toBe(OBJECTIVES.length);
    expect(new Set(OBJECTIVES.map((o) => o.urlPrefix)).size).toBe(OBJECTIVES.length);
    const flags = OBJECTIVES.flatMap((o) => o.params.flatMap((p) => (p.kind === 'number' ? [p.flag] : [p.on, p.off].filter((f): f is string => !!f))));
    expect(new Set(flags).size).toBe(flags.length);
    for (const o of OBJECTIVES) {
      expect(validateObjective({ objective: o.id, [o.id]: objectiveDefaults(o) })).toEqual([]);
      for (const p of o.params) if (p.kind === 'flag') expect(p.on ?? p.off).toBeTruthy();
    }
  });

  it('metrics: unique names per objective, charts that exist and draw something, a status line from them', () => {
    for (const o of OBJECTIVES) {
      expect(new Set(o.metrics.map((m) => m.name)).size).toBe(o.metrics.length);
      for (const m of o.metrics) if (m.chart) expect(o.charts.map((c) => c.id)).toContain(m.chart);
      for (const c of o.charts) expect(o.metrics.some((m) => m.chart === c.id)).toBe(true);
    }
    expect(statusLine('electra', { genLoss: 3.21, discLoss: 0.3124, auc: 0.9, replacedOfMasked: 0.349 })).toBe('G 3.210 · D 0.312 · AUC 0.900 · replaced 35%');
    expect(statusLine('electra', { auc: 0.9 })).toBe('G – · D – · AUC 0.900 · replaced –');
    expect(statusLine('mlm', {})).toBe('');
    const compared = compareMetrics().map((m) => m.name);
    expect(compared).toContain('auc');
    expect(new Set(compared).size).toBe(compared.length);
    expect(metricCharts(['mlm', 'electra', 'electra']).map((c) => [c.objective, c.chart.id, c.metrics.map((m) => m.name)])).toEqual([['electra', 'auc', ['auc']]]);
  });

  it('reads a missing block as the defaults, and what a block gives over them', () => {
    expect(objectiveParams({ objective: 'electra' }, electra)).toEqual(objectiveDefaults(electra));
    expect(objectiveParams({ objective: 'electra', electra: { temperature: 2 } }, electra).temperature).toBe(2);
    expect(objectiveParams({ objective: 'electra', electra: { temperature: 2 } }, electra).discWeight).toBe(50);
  });

  it('validates the id and each parameter with the field and its range', () => {
    expect(validateObjective({ objective: 'bogus' })).toEqual([{ field: 'objective', message: `objective must be one of ${OBJECTIVE_IDS.join(', ')} (got "bogus").` }]);
    expect(validateObjective({ objective: 'electra', electra: { ...objectiveDefaults(electra), temperature: 0, maskedOnly: 'yes' } })).toEqual([
      { field: 'electra.temperature', message: 'electra.temperature must be a number from 0.05 to 10 (got 0).' },
      { field: 'electra.maskedOnly', message: 'electra.maskedOnly must be true or false (got yes).' },
    ]);
    // Another objective's block is not the chosen one's business unless asked.
    expect(validateObjective({ objective: 'mlm', electra: { temperature: 0 } })).toEqual([]);
    expect(validateObjective({ objective: 'mlm', electra: { temperature: 0 } }, electra)).toHaveLength(1);
    expect(validateObjective({ objective: 'electra', electra: 3 })[0]!.message).toMatch(/^electra options must be an object with discWeight, /);
  });

  it('an objective’s masking defaults sit under the run’s own parameters', () => {
    expect(withMaskingDefaults('electra', {})).toEqual({ maskProb: 0.85, randomProb: 0 });
    expect(withMaskingDefaults('electra', { maskProb: 1 })).toEqual({ maskProb: 1, randomProb: 0 });
    expect(withMaskingDefaults('mlm', { rate: 0.4 })).toEqual({ rate: 0.4 });
  });

  it('ELECTRA’s setup note gives the generator’s size, or says there is none', () => {
    const model = { L: 2, C: 64, NH: 4, FFN: 256 };
    expect(electra.setupNote!(model, objectiveDefaults(electra))).toEqual({ testId: 'generator-dims', text: 'Generator: 2 layers, hidden 16, 1 head, FFN 64.' });
    expect(electra.setupNote!(model, { ...objectiveDefaults(electra), uniformGenerator: true })!.text).toMatch(/^Uniform generator/);
  });
});
