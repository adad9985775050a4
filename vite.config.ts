// Two pages: index.html is the playground; headless.html is the plain page the CLI (npm run train,
// npm run bench) drives in headless Chromium, running the same engine without React.
// Both ship a strict Content-Security-Policy (cli/csp.ts): a <meta> in the built pages and the same
// policy, plus frame-ancestors, as a header from `vite preview`; not in `npm run dev`.
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { cspHeader, cspPlugin } from './cli/csp.ts';

export default defineConfig({
  plugins: [react(), cspPlugin()],
  build: {
    target: 'es2022',
    rollupOptions: {
      input: { main: 'index.html', headless: 'headless.html' },
    },
  },
  worker: { format: 'es' },
  preview: { headers: { 'Content-Security-Policy': cspHeader() } },
  // ONNX check (src/export/onnx-runtime.ts): onnxruntime-web is served as shipped, not pre-bundled,
  // so its ESM build stays beside its .wasm; the .wasm itself comes in through a `?url` import
  // (dev: served from node_modules; build: emitted into dist/assets), never from a CDN.
  // onnx-proto is CommonJS: pre-bundled up front rather than discovered on first export.
  optimizeDeps: { include: ['onnx-proto', '@tensorflow/tfjs', '@tensorflow/tfjs-backend-webgpu'], exclude: ['onnxruntime-web'] },
});
