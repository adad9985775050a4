// The minimal run controls: pick a preset, train / pause / step, and read the live numbers
// (step, loss, accuracy, tokens/s, held-out eval against the unigram baseline). The full setup
// panel and charts are the playground's job (issue [E]); this is enough to drive the engine.
import { useState } from 'react';
import { PRESETS, presetConfig } from '../model/config.ts';
import { useRunStore } from '../store/run.ts';
import { engine } from '../train/client.ts';

const fmt = (x: number | undefined, d = 3) => (x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(d));

export function RunPanel() {
  const [preset, setPreset] = useState(PRESETS[0]!.id);
  const status = useRunStore((s) => s.status);
  const step = useRunStore((s) => s.step);
  const info = useRunStore((s) => s.info);
  const last = useRunStore((s) => s.last);
  const evals = useRunStore((s) => s.evals);
  const error = useRunStore((s) => s.error);
  const lastEval = evals.at(-1);
  const total = info?.config.train.steps ?? presetConfig(preset).train.steps;
  const running = status === 'running' || status === 'configuring';

  const train = () => {
    if (!info || info.config.preset !== preset || status === 'done') {
      engine.configure(presetConfig(preset));
    }
    engine.start();
  };
  const single = () => {
    if (!info || info.config.preset !== preset) engine.configure(presetConfig(preset));
    engine.step(1);
  };

  return (
    <section className="panel run-panel" aria-label="Training run">
      <h2>Train</h2>
      <div className="run-controls">
        <label>
          Preset{' '}
          <select value={preset} onChange={(e) => setPreset(e.target.value)} disabled={running} data-testid="preset">
            {PRESETS.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </select>
        </label>
        <button onClick={train} disabled={running} data-testid="train">
          Train
        </button>
        <button onClick={() => engine.pause()} disabled={status !== 'running'} data-testid="pause">
          Pause
        </button>
        <button onClick={single} disabled={running} data-testid="step">
          Step
        </button>
      </div>
      <p className="muted">{PRESETS.find((p) => p.id === preset)?.description}</p>
      {error && (
        <div className="error-banner" role="alert" data-testid="run-error">
          <strong>{error.message}</strong>
          <span>{error.hint}</span>
        </div>
      )}
      <dl className="kv" data-testid="run-status">
        <dt>Status</dt>
        <dd data-testid="run-state">{status}</dd>
        <dt>Step</dt>
        <dd data-testid="run-step">
          {step} / {total}
        </dd>
        <dt>Train loss · accuracy</dt>
        <dd data-testid="run-loss">
          {fmt(last?.loss)} · {fmt(last?.accuracy)}
        </dd>
        {last?.electra && (
          <>
            <dt>Discriminator loss · AUC</dt>
            <dd data-testid="run-disc">
              {fmt(last.electra.discLoss)} · {fmt(last.electra.auc)} (generator loss {fmt(last.electra.genLoss)}, {(100 * last.electra.replacedOfMasked).toFixed(0)}% of masked replaced)
            </dd>
          </>
        )}
        <dt>Tokens/s</dt>
        <dd>{last ? last.tokensPerSec.toFixed(0) : '–'}</dd>
        <dt>Held-out eval (fixed 15% mask)</dt>
        <dd data-testid="run-eval">
          {lastEval ? `step ${lastEval.step}: loss ${fmt(lastEval.loss)} · accuracy ${fmt(lastEval.accuracy)}${lastEval.electra ? ` · discriminator AUC ${fmt(lastEval.electra.auc)}` : ''}` : '–'}
        </dd>
        <dt>Unigram baseline loss</dt>
        <dd>{fmt(info?.unigramBaseline)}</dd>
        {info && (
          <>
            <dt>Model</dt>
            <dd>
              {(info.parameters / 1e6).toFixed(2)}M parameters · vocab {info.vocabSize} · {(info.flopsPerStep / 1e9).toFixed(2)} GFLOP/step
            </dd>
          </>
        )}
      </dl>
    </section>
  );
}
