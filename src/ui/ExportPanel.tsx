// Save & export: download the run as a checkpoint file or resume one (a file for another setup
// is refused with the differences and can be resumed with its own setup), export the model for
// Hugging Face (config.json, vocab.txt, model.safetensors) or as ONNX, and check the ONNX export
// in onnxruntime-web against our engine on the probe sentence ("export verified").
import { activeRun, useRunStore } from '../store/run.ts';
import { useExportStore } from '../store/export.ts';
import { useSetupStore } from '../store/setup.ts';
import { AUTOSAVE_KEEP } from '../store/autosave-slots.ts';
import { AUTOSAVE_EVERY, engine, hasRefusedFile } from '../train/client.ts';
import type { ExportCheck } from '../train/protocol.ts';

function CheckLine({ check }: { check: ExportCheck }) {
  const ok = check.maxAbsDiff <= check.tolerance;
  return (
    <p className={ok ? 'export-ok' : 'export-bad'} data-testid="export-verified" data-max-diff={check.maxAbsDiff} data-ok={ok}>
      {ok ? '✓ export verified' : '✗ export differs'}: onnxruntime-web ({check.ep}) vs our engine at step {check.step}, {check.output}: max |Δ| ={' '}
      {check.maxAbsDiff.toExponential(2)} over {check.values.toLocaleString('en-US')} values ({ok ? '≤' : '>'} {check.tolerance}); ONNX {(check.onnxBytes / 1024).toFixed(0)} KiB, {check.ms.toFixed(0)} ms.
      {check.fallback && <span className="muted"> WebGPU EP unavailable: {check.fallback}</span>}
    </p>
  );
}

export function ExportPanel({ probe }: { probe: string }) {
  const status = useRunStore((s) => s.status);
  const hasModel = useRunStore((s) => activeRun(s)?.info != null);
  const draft = useSetupStore((s) => s.draft);
  const { busy, refusal, check, error, autosaved, autosaveProblem, autosaveFull } = useExportStore();
  const idle = status !== 'running' && status !== 'configuring' && busy === null;
  const ready = idle && hasModel;
  return (
    <section className="panel export-panel" aria-label="Save and export">
      <h3>Save &amp; export</h3>
      <p className="explain">
        The run is saved in this browser every {AUTOSAVE_EVERY} steps and when it pauses (its own slot; the newest {AUTOSAVE_KEEP} runs are kept); a checkpoint file holds weights, optimizer state and history, and resumes exactly.
      </p>
      <div className="export-buttons">
        <button onClick={() => engine.downloadCheckpoint()} disabled={!ready} data-testid="download-checkpoint">
          Download checkpoint
        </button>
        <label className="upload">
          Resume from file{' '}
          <input
            type="file"
            accept=".mlckpt,application/octet-stream"
            disabled={!idle}
            data-testid="checkpoint-input"
            onChange={(e) => {
              const file = e.target.files?.[0];
              e.target.value = '';
              if (file) void file.arrayBuffer().then((bytes) => engine.resumeFile(bytes, draft));
            }}
          />
        </label>
        <button onClick={() => engine.exportModel(['hf', 'onnx', 'probe'], probe)} disabled={!ready} data-testid="export-model" title="A zip: Hugging Face folder (config.json, vocab.txt, model.safetensors), model.onnx and probe.json">
          Export model (.zip)
        </button>
        <button onClick={() => engine.verifyExport(probe)} disabled={!ready} data-testid="verify-export" title="Runs the ONNX export in onnxruntime-web on the probe sentence and compares with our logits">
          Check export in onnxruntime-web
        </button>
      </div>
      {busy && <p className="muted" data-testid="export-busy">{{ checkpoint: 'Saving…', restore: 'Resuming…', export: 'Exporting…', verify: 'Running the ONNX model in onnxruntime-web…' }[busy]}</p>}
      {refusal && (
        <div className="error-banner" role="alert" data-testid="checkpoint-refused">
          <strong>{refusal.message}</strong>
          <span>{refusal.hint} The current run is unchanged.</span>
          {refusal.otherSetup && hasRefusedFile() && (
            <button onClick={() => engine.resumeWithItsSetup()} data-testid="resume-own-setup">
              Resume it with the setup it was saved with
            </button>
          )}
        </div>
      )}
      {error && (
        <div className="error-banner" role="alert" data-testid="export-error">
          <strong>{error.message}</strong>
          <span>{error.hint}</span>
        </div>
      )}
      {check && <CheckLine check={check} />}
      <p className="muted" data-testid="autosave-status">
        {autosaveProblem ?? (autosaved ? `Autosaved at step ${autosaved.step}.` : 'Not saved yet.')}
        {autosaveFull && (
          <button onClick={() => void engine.discardOtherAutosaves()} data-testid="discard-other-autosaves" title="Deletes the other runs saved in this browser (not those open in other tabs), then saves this one">
            Discard old autosaves
          </button>
        )}
      </p>
    </section>
  );
}
