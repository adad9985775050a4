// When is a run diverging? Checked on every metric window (each metrics readback), pure and
// CPU-only, so the rule is the same in the app, the CLI and the tests. A hit pauses the run and
// offers a roll-back to the last state that passed (session.ts keeps it on the GPU).
//
// The rules, in the order they are checked (the first that fires is reported):
//   non-finite      the loss or the gradient norm is NaN or ±Inf.
//   above-start     the loss is above 1.5× the run's first recorded loss (the session always
//                   reads step 1 back). At Hugging Face's init (std 0.02) that is the uniform guess
//                   (ln V for MLM; ELECTRA adds λ·ln 2): a run worse than knowing nothing by half
//                   again has blown up. The run trips it (loss 3 → 140 within 20 steps).
//   loss-spike      the loss is above 2× the median of the last WINDOW healthy windows and at least
//                   1 nat above it. The median, not the minimum: strategies that draw a mask rate
//                   per step (diffusion) swing the per-step loss ±50% without diverging.
//   grad-explosion  the gradient norm (before clipping) is above 20× the median of the last WINDOW
//                   healthy windows. Early steps change it by a few × at most; an explosion is
//                   orders of magnitude.
// The last two need MIN_HISTORY healthy windows first (the first steps move fast on purpose).
// Not detected: a slow drift upwards, or a plateau (a run can sit on the unigram plateau healthily).

export type DivergenceRule = 'non-finite' | 'above-start' | 'loss-spike' | 'grad-explosion';

export interface HealthSample {
  step: number;
  loss: number;
  gradNorm: number;
}

export interface Divergence {
  step: number;
  rule: DivergenceRule;
  /** What was measured and what it was compared with, for the banner. */
  message: string;
}

export const DIVERGENCE = { WINDOW: 20, MIN_HISTORY: 5, ABOVE_START: 1.5, SPIKE_RATIO: 2, SPIKE_NATS: 1, GRAD_RATIO: 20 } as const;

const median = (xs: number[]) => {
  const s = xs.slice().sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const f = (x: number) => (Math.abs(x) >= 1000 || (Math.abs(x) < 0.01 && x !== 0) ? x.toExponential(2) : x.toFixed(3));

export class DivergenceWatch {
  private first: HealthSample | undefined;
  private recent: HealthSample[] = [];

  /** `history`: the healthy samples so far (a resumed or rolled-back run continues its own). */
  constructor(history: readonly HealthSample[] = []) {
    for (const s of history) this.accept(s);
  }

  /** Null when the sample is healthy (it joins the history), else the rule it breaks. */
  check(s: HealthSample): Divergence | null {
    const d = this.judge(s);
    if (!d) this.accept(s);
    return d;
  }

  private judge({ step, loss, gradNorm }: HealthSample): Divergence | null {
    const hit = (rule: DivergenceRule, message: string): Divergence => ({ step, rule, message });
    if (!Number.isFinite(loss) || !Number.isFinite(gradNorm)) return hit('non-finite', `the loss is ${loss} and the gradient norm ${gradNorm}`);
    const { ABOVE_START, SPIKE_RATIO, SPIKE_NATS, GRAD_RATIO, MIN_HISTORY } = DIVERGENCE;
    if (this.first && loss > ABOVE_START * this.first.loss) {
      return hit('above-start', `the loss ${f(loss)} is above ${ABOVE_START}× the run's first loss ${f(this.first.loss)} (step ${this.first.step})`);
    }
    if (this.recent.length < MIN_HISTORY) return null;
    const ml = median(this.recent.map((r) => r.loss));
    if (loss > SPIKE_RATIO * ml && loss > ml + SPIKE_NATS) {
      return hit('loss-spike', `the loss ${f(loss)} is above ${SPIKE_RATIO}× the median ${f(ml)} of the last ${this.recent.length} windows`);
    }
    const mg = median(this.recent.map((r) => r.gradNorm));
    if (gradNorm > GRAD_RATIO * mg) {
      return hit('grad-explosion', `the gradient norm ${f(gradNorm)} is above ${GRAD_RATIO}× the median ${f(mg)} of the last ${this.recent.length} windows`);
    }
    return null;
  }

  private accept(s: HealthSample): void {
    if (!Number.isFinite(s.loss) || !Number.isFinite(s.gradNorm)) return;
    this.first ??= s;
    this.recent.push(s);
    if (this.recent.length > DIVERGENCE.WINDOW) this.recent.shift();
  }
}
