// Top-level layout: the WebGPU explanation page when there is no WebGPU, else the playground.
import { useGpuStore } from '../store/gpu.ts';
import { ErrorBanner } from './ErrorBanner.tsx';
import { GpuStatusPanel } from './GpuStatusPanel.tsx';
import { RunPanel } from './RunPanel.tsx';
import { WebGpuMissing } from './WebGpuMissing.tsx';

export function App() {
  const status = useGpuStore((s) => s.status);
  if (status.state === 'unavailable') return <WebGpuMissing error={status.error} />;
  return (
    <div className="app">
      <header className="app-header">
        <h1>
          mask<span className="accent">lab</span>
        </h1>
        <p className="tagline">Train tiny masked-language models in your browser, on WebGPU.</p>
      </header>
      {status.state === 'ready' && status.error && <ErrorBanner error={status.error} />}
      <main className="app-main">
        {status.state === 'checking' ? (
          <p className="muted" data-testid="gpu-checking">
            Starting WebGPU…
          </p>
        ) : (
          <>
            <RunPanel />
            <GpuStatusPanel adapter={status.adapter} />
          </>
        )}
      </main>
    </div>
  );
}
