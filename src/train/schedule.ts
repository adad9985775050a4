// Learning-rate schedule: linear warmup, then linear / cosine decay or constant. Pure and CPU-only;
// the loop passes the result to AdamW's setStep(t, lr) each step.
// Conventions (Hugging Face get_{linear,cosine}_schedule_with_warmup, and BERT/ELECTRA's TF code):
// `step` is the 0-based step about to run; warmup gives peak·step/warmupSteps (so step 0 runs at
// lr 0 and step warmupSteps reaches peak); decay reaches minRatio·peak at step = totalSteps and
// stays there for any later step. Not here: per-parameter-group rates or restarts.

export interface LrSchedule {
  peak: number;
  warmupSteps: number;
  totalSteps: number;
  decay: 'linear' | 'cosine' | 'constant';
  /** Floor as a fraction of peak, default 0. */
  minRatio?: number;
}

export function learningRate(s: LrSchedule, step: number): number {
  const minRatio = s.minRatio ?? 0;
  if (!(Number.isFinite(s.peak) && s.peak >= 0)) throw new Error(`lr schedule: peak must be finite and ≥ 0, got ${s.peak}`);
  if (!(Number.isInteger(s.warmupSteps) && s.warmupSteps >= 0)) throw new Error(`lr schedule: warmupSteps must be an integer ≥ 0, got ${s.warmupSteps}`);
  if (!(Number.isInteger(s.totalSteps) && s.totalSteps >= 0)) throw new Error(`lr schedule: totalSteps must be an integer ≥ 0, got ${s.totalSteps}`);
  if (!(minRatio >= 0 && minRatio <= 1)) throw new Error(`lr schedule: minRatio must be in [0, 1], got ${minRatio}`);
  if (!(Number.isInteger(step) && step >= 0)) throw new Error(`lr schedule: step must be an integer ≥ 0, got ${step}`);

  if (step < s.warmupSteps) return (s.peak * step) / s.warmupSteps;
  if (s.decay === 'constant') return s.peak;
  const span = s.totalSteps - s.warmupSteps;
  // A decay phase of zero length (totalSteps ≤ warmupSteps) is already over: sit at the floor.
  const progress = span <= 0 ? 1 : Math.min(1, (step - s.warmupSteps) / span);
  const shape = s.decay === 'linear' ? 1 - progress : 0.5 * (1 + Math.cos(Math.PI * progress));
  return s.peak * (minRatio + (1 - minRatio) * shape);
}
