// e2e: the built app (vite build + vite preview) in real Chromium with WebGPU (SwiftShader unless
// MASKLAB_GPU=hardware). `npm test` builds first; run `npm run build` before `npm run test:e2e`.
import { defineConfig } from '@playwright/test';
import { chromiumArgs, findChromium, gpuModeFromEnv } from './cli/chromium.ts';

const PORT = Number(process.env.MASKLAB_E2E_PORT ?? 4319);

export default defineConfig({
  testDir: 'e2e',
  timeout: 180_000,
  expect: { timeout: 60_000 },
  workers: 1,
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    launchOptions: { executablePath: findChromium().path, args: chromiumArgs(gpuModeFromEnv()) },
    trace: 'off',
  },
  webServer: {
    command: `npx vite preview --host 127.0.0.1 --port ${PORT} --strictPort`,
    url: `http://127.0.0.1:${PORT}/`,
    reuseExistingServer: false,
    timeout: 60_000,
  },
});
