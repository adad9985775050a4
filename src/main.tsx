// Composition root: mounts the UI and starts the engine client. The only file that wires the
// two; the UI itself reads the store and never touches the worker or the GPU.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './ui/App.tsx';
import { startEngineClient } from './train/client.ts';
import './ui/styles.css';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
startEngineClient();
