// The WebGPU panel's kernel tuning: whether kernels are tuned on this GPU when a run is set up
// (gpu/autotune.ts), a progress line with Skip while it runs, and per kernel the variant chosen,
// the default it replaced and the measured gain. Reads the store; commands go through engine.
import { useGpuStore } from '../store/gpu.ts';
import { engine } from '../train/client.ts';
import type { AutotuneMode, TuneOutcome } from '../train/protocol.ts';

const MODES: { mode: AutotuneMode; label: string }[] = [
  { mode: 'auto', label: 'auto (on a hardware GPU, off on a software adapter)' },
  { mode: 'on', label: 'on' },
  { mode: 'off', label: 'off (default kernels)' },
];

const SOURCE: Record<TuneOutcome['source'], string> = {
  measured: 'measured now',
  cache: 'cached (earlier visit)',
  'time bound': 'not tuned: out of time',
  skipped: 'not tuned: skipped',
};

const tunedCount = (outcomes: TuneOutcome[]) => outcomes.filter((o) => o.source === 'measured' || o.source === 'cache').length;

function Outcomes({ outcomes }: { outcomes: TuneOutcome[] }) {
  return (
    <table className="tune-table" data-testid="tune-table">
      <thead>
        <tr>
          <th>kernel</th>
          <th>chosen</th>
          <th>default</th>
          <th>gain</th>
          <th>how</th>
        </tr>
      </thead>
      <tbody>
        {outcomes.map((o) => {
          const rejected = Object.entries(o.rejected);
          return (
            <tr key={o.key} data-testid="tune-row" data-source={o.source}>
              <td>{o.key}</td>
              <td>{o.choice}</td>
              <td>{o.defaultId}</td>
              <td>{o.source === 'measured' || o.source === 'cache' ? `${o.gain.toFixed(2)}×` : '–'}</td>
              <td title={rejected.map(([id, why]) => `${id}: ${why}`).join('\n') || undefined}>
                {SOURCE[o.source]}
                {rejected.length ? ` · ${rejected.length} rejected` : ''}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

export function KernelTuning() {
  const { mode, progress, last } = useGpuStore((s) => s.tuning);
  return (
    <div className="kernel-tuning" data-testid="kernel-tuning">
      <label>
        Tune kernels for this GPU when a run is set up{' '}
        <select data-testid="autotune-mode" value={mode} onChange={(e) => engine.setAutotune(e.target.value as AutotuneMode)}>
          {MODES.map((m) => (
            <option key={m.mode} value={m.mode}>
              {m.label}
            </option>
          ))}
        </select>
      </label>
      {progress && (
        <p data-testid="tune-progress">
          Tuning kernels: {progress.done} of {progress.total}
          {progress.key ? ` (${progress.key})` : ''}{' '}
          <button type="button" onClick={() => engine.skipTuning()}>
            Skip
          </button>
        </p>
      )}
      {last && !progress && (
        <>
          <p data-testid="tune-summary">
            Last run set up: {tunedCount(last.outcomes)} of {last.outcomes.length} kernels tuned, {(last.ms / 1000).toFixed(1)} s of tuning;{' '}
            {last.rebuilt ? 'the model was rebuilt with the faster kernels' : 'the defaults were fastest'}.
            {tunedCount(last.outcomes) < last.outcomes.length ? ' Kernels not reached keep the default and are tuned at the next setup.' : ''}
          </p>
          <Outcomes outcomes={last.outcomes} />
        </>
      )}
    </div>
  );
}
