// Your own text as the corpus: paste it or upload a .txt file. The worker reads, checks and
// parses it (progress bar meanwhile); a refused file (empty, binary, too short) shows the error
// banner with the reason and the previous corpus stays. A loaded text becomes the data source.
import { useState } from 'react';
import { useSetupStore } from '../../store/setup.ts';
import { engine } from '../../train/client.ts';

export function DataUpload({ disabled = false }: { disabled?: boolean }) {
  const corpus = useSetupStore((s) => s.corpus);
  const loading = useSetupStore((s) => s.corpusLoading);
  const [pasted, setPasted] = useState('');
  return (
    <section className="panel data-upload" aria-label="Your own text">
      <h3>Your own text</h3>
      <p className="explain">Train on any English prose: at least 1,000 words; a tenth is held out for evaluation.</p>
      <label className="upload">
        Upload a .txt file{' '}
        <input
          type="file"
          accept=".txt,text/plain"
          disabled={disabled}
          data-testid="upload-input"
          onChange={(e) => {
            const file = e.target.files?.[0];
            if (file) engine.loadCorpus(file.name, file);
            e.target.value = ''; // the same file can be chosen again
          }}
        />
      </label>
      <textarea value={pasted} onChange={(e) => setPasted(e.target.value)} rows={4} placeholder="…or paste text here" disabled={disabled} data-testid="paste-input" />
      <button onClick={() => engine.loadCorpus('pasted text', new Blob([pasted], { type: 'text/plain' }))} disabled={disabled || pasted.trim() === ''} data-testid="paste-use">
        Use pasted text
      </button>
      {loading && (
        <div className="corpus-progress" data-testid="corpus-progress">
          Reading {loading.name}… <progress max={loading.total || 1} value={loading.done} />
        </div>
      )}
      <p className="muted" data-testid="corpus-status">
        {corpus
          ? `Loaded: ${corpus.name} — ${corpus.words.toLocaleString('en-US')} words (${corpus.lexicon.toLocaleString('en-US')} distinct) in ${corpus.docs} documents.`
          : 'No text loaded.'}
      </p>
    </section>
  );
}
