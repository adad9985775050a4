// Top-level layout: the WebGPU explanation page when there is no WebGPU, else the playground —
// setup on the left (hidden in presenter mode), run controls, curves and the live views on the
// right. It also tells the engine what the open views need (probe sentence, batch rows).
import { useEffect } from 'react';
import { useGpuStore } from '../store/gpu.ts';
import { activeRun, clearError, runNotice, useRunStore } from '../store/run.ts';
import { defaultProbe, setDraft, setPresenter, setProbeText, setViewsOpen, useSetupStore } from '../store/setup.ts';
import { useViewsStore } from '../store/views.ts';
import { engine } from '../train/client.ts';
import type { BatchView } from '../train/protocol.ts';
import { AttentionViews } from './AttentionViews.tsx';
import { ChartsPanel } from './ChartsPanel.tsx';
import { ComparePanel } from './compare/ComparePanel.tsx';
import { objectiveById } from '../objectives/registry.ts';
import { ObjectiveViewPanel } from './ObjectiveViewPanel.tsx';
import { DivergenceBanner } from './DivergenceBanner.tsx';
import { ErrorBanner } from './ErrorBanner.tsx';
import { ExportPanel } from './ExportPanel.tsx';
import { ResumeOffer } from './ResumeOffer.tsx';
import { FillMask } from './FillMask.tsx';
import { GpuStatusPanel } from './GpuStatusPanel.tsx';
import { MaskStrip } from './MaskStrip.tsx';
import { MaskView } from './MaskView.tsx';
import { RunControls } from './RunControls.tsx';
import { DataUpload } from './setup/DataUpload.tsx';
import { SetupPanel } from './setup/SetupPanel.tsx';
import { useUrlHash } from './use-url-hash.ts';
import { WebGpuMissing } from './WebGpuMissing.tsx';

/** Rows of the training batch the mask and ELECTRA views show. */
const BATCH_ROWS = 2;
/** Typing pauses this long before the probe is re-run. */
const PROBE_DEBOUNCE_MS = 300;

/** Sends the engine what the open views need whenever that changes (the probe debounced). */
function useViewRequests(probe: string, open: boolean, ready: boolean): void {
  useEffect(() => {
    if (!ready) return;
    const t = setTimeout(() => engine.views(open ? { probe, batchRows: BATCH_ROWS } : { probe: null, batchRows: 0 }), PROBE_DEBOUNCE_MS);
    return () => clearTimeout(t);
  }, [probe, open, ready]);
}

/** The mask view with the latest step's mask statistics (re-renders per metric, alone). */
function MaskViewLive({ view, presenter }: { view: BatchView | null; presenter: boolean }) {
  const stats = useRunStore((s) => activeRun(s)?.last?.mask ?? null);
  return <MaskView view={view} stats={stats} presenter={presenter} />;
}

export function App() {
  const status = useGpuStore((s) => s.status);
  const runError = useRunStore((s) => s.error);
  const notice = useRunStore((s) => s.notice);
  const runStatus = useRunStore((s) => s.status);
  // The active run's config only: its metrics change every step and must not re-render the page.
  const runConfig = useRunStore((s) => activeRun(s)?.config);
  const draft = useSetupStore((s) => s.draft);
  const presenter = useSetupStore((s) => s.presenter);
  const viewsOpen = useSetupStore((s) => s.viewsOpen);
  const typed = useSetupStore((s) => s.probe);
  const probe = useViewsStore((s) => s.probe);
  const batch = useViewsStore((s) => s.batch);
  const probeText = typed ?? defaultProbe((runConfig ?? draft).data.source);
  useViewRequests(probeText, viewsOpen, status.state === 'ready');
  const link = useUrlHash();

  if (status.state === 'unavailable') return <WebGpuMissing error={status.error} />;
  const training = runStatus === 'running' || runStatus === 'configuring';
  return (
    <div className={`app${presenter ? ' presenter' : ''}`}>
      <header className="app-header">
        <h1>
          mask<span className="accent">lab</span>
        </h1>
        <p className="tagline">Train tiny masked-language models in your browser, on WebGPU.</p>
        <div className="header-actions">
          <label title="Stop asking the engine for views (training runs at full speed either way; this is for measuring that)">
            <input type="checkbox" checked={viewsOpen} onChange={(e) => setViewsOpen(e.target.checked)} data-testid="views-toggle" /> live views
          </label>
          <button onClick={() => setPresenter(!presenter)} data-testid="presenter-toggle" title="Large type, setup hidden; space trains/pauses, s steps">
            {presenter ? 'Exit presenter mode' : 'Presenter mode'}
          </button>
        </div>
      </header>
      {status.state === 'ready' && status.error && <ErrorBanner error={status.error} />}
      {runError && <ErrorBanner error={runError} onDismiss={clearError} />}
      <DivergenceBanner />
      {notice && <ErrorBanner error={notice} onDismiss={() => runNotice(null)} kind="notice" />}
      {!presenter && <ResumeOffer />}
      {link.problems.length > 0 && (
        <ErrorBanner error={{ message: `The link's setup had ${link.problems.length === 1 ? 'a problem' : `${link.problems.length} problems`}: ${link.problems.join(' ')}`, hint: 'Those settings were skipped and the rest applied; check the setup panel before training.' }} onDismiss={link.dismiss} />
      )}
      {status.state === 'checking' ? (
        <p className="muted" data-testid="gpu-checking">
          Starting WebGPU…
        </p>
      ) : (
        <main className="app-main">
          {!presenter && (
            <aside className="setup-column">
              <SetupPanel value={draft} onChange={setDraft} disabled={training} />
              <DataUpload disabled={training} />
              <ExportPanel probe={probeText} />
            </aside>
          )}
          <div className="work-column">
            <RunControls />
            <ChartsPanel presenter={presenter} />
            {viewsOpen && (
              <div className="views-grid">
                <section className="panel" aria-label="Fill the mask">
                  <h2>Fill the mask</h2>
                  <FillMask text={probeText} onText={setProbeText} probe={probe} presenter={presenter} />
                </section>
                <section className="panel" aria-label="Masks">
                  <h2>Masks</h2>
                  <MaskViewLive view={batch} presenter={presenter} />
                  <MaskStrip strip={batch?.strip ?? null} />
                  {batch?.stripNote && <p className="muted">{batch.stripNote}</p>}
                </section>
                <section className="panel wide" aria-label="Attention">
                  <h2>Attention</h2>
                  <AttentionViews probe={probe} presenter={presenter} />
                </section>
                {(runConfig ? objectiveById(runConfig.objective)?.views ?? [] : []).map((v) => (
                  <section key={v.id} className="panel wide" aria-label={v.title}>
                    <h2>{v.title}</h2>
                    <ObjectiveViewPanel objective={runConfig!.objective} view={v} batch={batch} probe={probe} />
                  </section>
                ))}
              </div>
            )}
            <ComparePanel />
            {!presenter && (
              <details className="panel" open>
                <summary>WebGPU adapter</summary>
                <GpuStatusPanel adapter={status.adapter} />
              </details>
            )}
          </div>
        </main>
      )}
    </div>
  );
}
