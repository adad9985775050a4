// Keeps the setup and the URL hash in step, so a link reopens the same experiment (issue [E]
// item 10): on load and on `hashchange` the hash is decoded into the setup store (a setting the
// link got wrong is reported and skipped, the rest applies); every setup change rewrites the hash
// with history.replaceState (no history entry per keystroke).
import { useEffect, useState } from 'react';
import { setDraft, setPresenter, setProbeText, useSetupStore } from '../store/setup.ts';
import { decodeSetup, encodeSetup } from './setup/url-hash.ts';

/** Applies the page's hash to the setup; returns what the link got wrong (empty when fine). */
function applyHash(hash: string): string[] {
  if (hash === '' || hash === '#') return [];
  const { config, extras, problems } = decodeSetup(hash);
  setDraft(config);
  setPresenter(extras.presenter ?? false);
  if (extras.probe !== undefined) setProbeText(extras.probe);
  return problems;
}

export function useUrlHash(): { problems: string[]; dismiss: () => void } {
  const [problems, setProblems] = useState<string[]>(() => applyHash(window.location.hash));
  useEffect(() => {
    const onHash = () => setProblems(applyHash(window.location.hash));
    window.addEventListener('hashchange', onHash);
    const write = (s: ReturnType<typeof useSetupStore.getState>) => {
      const hash = encodeSetup(s.draft, { presenter: s.presenter, ...(s.probe !== null ? { probe: s.probe } : {}) });
      if (hash !== window.location.hash) history.replaceState(null, '', hash);
    };
    write(useSetupStore.getState());
    const unsubscribe = useSetupStore.subscribe(write);
    return () => {
      window.removeEventListener('hashchange', onHash);
      unsubscribe();
    };
  }, []);
  return { problems, dismiss: () => setProblems([]) };
}
