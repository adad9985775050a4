// Every training objective, as data (types.ts), and what the rest of the app derives from it:
// parameter blocks with defaults filled in, validation with one message per problem, the masking
// defaults an objective brings. Adding an objective adds one line to OBJECTIVES.
// An objective's parameters live in the run config under its id (`config.electra`); a config
// without the block (saved before the objective existed) reads the defaults.
import type { ParamValue } from '../masking/registry.ts';
import { ELECTRA } from './electra/spec.ts';
import { MLM } from './mlm/spec.ts';
import { POSITION } from './position/spec.ts';
import type { ObjectiveParam, ObjectiveParamValues, ObjectiveSpec } from './types.ts';

export const OBJECTIVES: readonly ObjectiveSpec[] = [MLM, ELECTRA, POSITION];

export const OBJECTIVE_IDS: readonly string[] = OBJECTIVES.map((o) => o.id);

export function objectiveById(id: string): ObjectiveSpec | undefined {
  return OBJECTIVES.find((o) => o.id === id);
}

/** The objective of a known id; throws with the list for an unknown one (validate first). */
export function objectiveOf(id: string): ObjectiveSpec {
  const o = objectiveById(id);
  if (!o) throw new Error(`Unknown objective "${id}". Objectives: ${OBJECTIVE_IDS.join(', ')}.`);
  return o;
}

/** Each parameter's default. */
export function objectiveDefaults(o: ObjectiveSpec): ObjectiveParamValues {
  return Object.fromEntries(o.params.map((p) => [p.key, p.default]));
}

type WithBlocks = { objective: string } & Partial<Record<string, unknown>>;

/** The parameter block of objective `o` in `config`, defaults under what it gives. */
export function objectiveParams(config: object, o: ObjectiveSpec): ObjectiveParamValues {
  const given = (config as WithBlocks)[o.id];
  return { ...objectiveDefaults(o), ...(given && typeof given === 'object' ? (given as ObjectiveParamValues) : {}) };
}

/** The masking parameters as given, on top of the objective's defaults. */
export function withMaskingDefaults(objective: string, given: Record<string, ParamValue>): Record<string, ParamValue> {
  return { ...(objectiveById(objective)?.maskingDefaults ?? {}), ...given };
}

export interface ObjectiveProblem {
  /** `objective`, or `<objective id>.<param key>`. */
  field: string;
  message: string;
}

/** Problems with one parameter's value, in the words every surface uses. */
export function checkObjectiveParam(o: ObjectiveSpec, p: ObjectiveParam, v: unknown): string | null {
  const name = `${o.id}.${p.key}`;
  if (p.kind === 'flag') return typeof v === 'boolean' ? null : `${name} must be true or false (got ${String(v)}).`;
  return typeof v === 'number' && Number.isFinite(v) && v >= p.min && v <= p.max ? null : `${name} must be a number from ${p.min} to ${p.max} (got ${String(v)}).`;
}

/** The objective's id, and every parameter of objective `o` (the chosen one unless given). */
export function validateObjective<C extends { objective: string }>(config: C, o: ObjectiveSpec | undefined = objectiveById(config.objective)): ObjectiveProblem[] {
  if (!o) return [{ field: 'objective', message: `objective must be one of ${OBJECTIVE_IDS.join(', ')} (got "${config.objective}").` }];
  const block = (config as WithBlocks)[o.id];
  if (o.params.length && block !== undefined && (!block || typeof block !== 'object')) {
    return [{ field: o.id, message: `${o.id} options must be an object with ${o.params.map((p) => p.key).join(', ')}.` }];
  }
  const values = objectiveParams(config, o);
  return o.params.flatMap((p) => {
    const message = checkObjectiveParam(o, p, values[p.key]);
    return message ? [{ field: `${o.id}.${p.key}`, message }] : [];
  });
}
