// Run controls and the status line: train / pause / single step / reset, slow motion, and the
// live numbers (step, tokens/s, elapsed, adapter). Keyboard: space trains or pauses, `s` steps
// (not while typing in a field). Train configures a new run from the setup when there is none,
// when the setup changed, or when the last run is done.
import { useEffect, useRef, useState } from 'react';
import type { RunConfig } from '../model/config.ts';
import { useGpuStore } from '../store/gpu.ts';
import { activeRun, useRunStore } from '../store/run.ts';
import { useSetupStore } from '../store/setup.ts';
import { engine } from '../train/client.ts';
import { runLabel } from '../store/run-label.ts';
import { statusLine } from '../objectives/metrics.ts';

const fmt = (x: number | undefined, d = 3) => (x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(d));

function elapsed(ms: number): string {
  const s = Math.floor(ms / 1000);
  return s < 60 ? `${(ms / 1000).toFixed(1)} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
}

const sameConfig = (a: RunConfig, b: RunConfig) => JSON.stringify(a) === JSON.stringify(b);

export function RunControls() {
  const status = useRunStore((s) => s.status);
  const step = useRunStore((s) => s.step);
  const run = useRunStore(activeRun);
  const draft = useSetupStore((s) => s.draft);
  const presenter = useSetupStore((s) => s.presenter);
  const adapter = useGpuStore((s) => (s.status.state === 'ready' ? s.status.adapter : null));
  const [delayMs, setDelayMs] = useState(0);
  const total = run?.config.train.steps ?? draft.train.steps;
  const running = status === 'running' || status === 'configuring';
  const last = run?.last;
  const objectiveStatus = run && last ? statusLine(run.config.objective, last.values) : '';

  /** Configures the setup as a new run unless the active run already is that setup and can go on. */
  const ensureRun = () => {
    if (!run || !sameConfig(run.config, draft) || status === 'done') engine.configure(draft, { label: runLabel(draft), group: runLabel(draft, { seed: false }), compared: false });
  };
  const train = () => {
    ensureRun();
    engine.start(delayMs);
  };
  const single = () => {
    ensureRun();
    engine.step(1);
  };
  const reset = () => engine.configure(draft, { label: runLabel(draft), group: runLabel(draft, { seed: false }), compared: false });

  // Latest handlers for the keyboard listener, which is installed once.
  const keys = useRef({ train, single, pause: engine.pause, running });
  keys.current = { train, single, pause: engine.pause, running };
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement | null;
      if (t && (t.isContentEditable || ['INPUT', 'SELECT', 'TEXTAREA', 'BUTTON'].includes(t.tagName))) return;
      if (e.key === ' ') {
        e.preventDefault();
        if (keys.current.running) keys.current.pause();
        else keys.current.train();
      } else if (e.key === 's' && !keys.current.running) keys.current.single();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  return (
    <section className="panel run-controls-panel" aria-label="Run controls">
      <div className="run-controls">
        <button onClick={train} disabled={running} data-testid="train-button" title="Train (space)">
          ▶ Train
        </button>
        <button onClick={() => engine.pause()} disabled={status !== 'running'} data-testid="pause-button" title="Pause (space)">
          ❚❚ Pause
        </button>
        <button onClick={single} disabled={running} data-testid="step-button" title="One step (s)">
          Step
        </button>
        <button onClick={reset} disabled={status === 'configuring'} data-testid="reset-button" title="Start over from fresh weights">
          Reset
        </button>
        {!presenter && (
          <label className="slowmo" title="Slow motion: wait after every step, so each batch can be followed">
            Slow motion{' '}
            <select value={delayMs} onChange={(e) => setDelayMs(Number(e.target.value))} data-testid="slowmo-select">
              <option value={0}>off</option>
              <option value={250}>¼ s / step</option>
              <option value={1000}>1 s / step</option>
              <option value={3000}>3 s / step</option>
            </select>
          </label>
        )}
      </div>
      {/* data-elapsed-ms / data-metric-step: for the views-cost benchmark (cli/bench-views.ts) */}
      <p className="status-line" data-testid="status-line" data-elapsed-ms={last?.elapsedMs ?? 0} data-metric-step={last?.step ?? 0}>
        <span>
          Step{' '}
          <strong data-testid="status-step">
            {step} / {total}
          </strong>
        </span>
        <span data-testid="run-state">{status}</span>
        <span>
          loss <strong data-testid="run-loss">{fmt(last?.loss)}</strong> · acc {fmt(last?.accuracy)}
        </span>
        {objectiveStatus && <span data-testid="run-objective-metrics">{objectiveStatus}</span>}
        <span>{last ? `${Math.round(last.tokensPerSec).toLocaleString('en-US')} tokens/s` : '– tokens/s'}</span>
        <span>{last ? elapsed(last.elapsedMs) : '0 s'}</span>
        <span className="muted" data-testid="status-adapter">
          {adapter ? `${[adapter.vendor, adapter.architecture].filter(Boolean).join(' · ') || 'GPU'}${adapter.isFallbackAdapter ? ' (software)' : ''}` : ''}
        </span>
      </p>
    </section>
  );
}
