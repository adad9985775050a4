// A run's short name for legends and tables: its preset and what it changes that matters for
// comparisons (objective, masking strategy and rate, corruption), then the seed. Pure.
import { maskingOf, maskingParams, type RunConfig } from '../model/config.ts';
import { objectiveById } from '../objectives/registry.ts';

/** Every masking parameter, defaults filled in (a config the panel refused may not parse). */
function fullParams(c: RunConfig): Record<string, number | string> {
  try {
    return maskingOf(c).params;
  } catch {
    return maskingParams(c);
  }
}

export function runLabel(c: RunConfig, opts: { seed?: boolean } = {}): string {
  const p = fullParams(c);
  const parts = [c.preset, objectiveById(c.objective)?.tag ?? c.objective, c.masking.strategy];
  if (p.rate !== undefined) parts.push(`${Math.round(Number(p.rate) * 100)}%`);
  if (p.maskProb !== undefined) parts.push(`${Math.round(Number(p.maskProb) * 100)}/${Math.round(Number(p.randomProb ?? 0) * 100)}`);
  const base = parts.join(' · ');
  return opts.seed === false ? base : `${base} · seed ${c.train.seed}`;
}
