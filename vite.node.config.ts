// The Node bundle of `npm run bench:node` (src/bench/node-bench.ts): the engine, shaders (?raw)
// and tfjs in one ES module, dist-node/node-bench.mjs, that runs under a plain `node` with Dawn
// (the npm package `webgpu`, native, left outside and found in node_modules). Nothing else: the
// app's own build is vite.config.ts.
import { defineConfig } from 'vite';

export default defineConfig({
  publicDir: false,
  build: {
    target: 'node20',
    ssr: 'src/bench/node-bench.ts',
    outDir: 'dist-node',
    emptyOutDir: true,
    minify: false,
    rollupOptions: { external: ['webgpu', /^node:/], output: { entryFileNames: 'node-bench.mjs', codeSplitting: false } },
  },
  // Bundle every dependency (tfjs included), so the file runs where there is no node_modules but webgpu's.
  ssr: { noExternal: true, target: 'node' },
  logLevel: 'warn',
});
