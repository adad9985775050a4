// Two test projects: `unit` runs pure code in Node; `gpu` runs *.gpu.test.ts in real Chromium with
// real WebGPU (SwiftShader unless MASKLAB_GPU=hardware). No mocked GPU anywhere.
import { playwright } from '@vitest/browser-playwright';
import { defineConfig } from 'vitest/config';
import { chromiumArgs, findChromium, gpuModeFromEnv } from './cli/chromium.ts';

const chromiumPath = (() => {
  // Unit-only runs (`vitest --project unit`) should not need a browser.
  try {
    return findChromium().path;
  } catch {
    return undefined;
  }
})();

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          environment: 'node',
          include: ['src/**/*.test.ts', 'cli/**/*.test.ts'],
          exclude: ['**/*.gpu.test.ts', '**/node_modules/**'],
        },
      },
      {
        // onnxruntime-web is served as shipped (its .wasm sits beside it; see vite.config.ts);
        // onnx-proto is CommonJS, so it is pre-bundled up front, not discovered mid-run (a reload).
        optimizeDeps: { include: ['onnx-proto', '@tensorflow/tfjs', '@tensorflow/tfjs-backend-webgpu'], exclude: ['onnxruntime-web'] },
        test: {
          name: 'gpu',
          include: ['src/**/*.gpu.test.ts'],
          setupFiles: ['src/gpu/test-setup.ts'],
          // The image sets the GPU tests fetch from /data (built from npm packages, not committed).
          globalSetup: ['cli/gpu-test-data.ts'],
          // SwiftShader runs WebGPU on 2 CPU cores: a few hundred MFLOP/s. Keep models tiny.
          testTimeout: 180_000,
          hookTimeout: 180_000,
          fileParallelism: false,
          browser: {
            enabled: true,
            headless: true,
            screenshotFailures: false,
            provider: playwright({
              launchOptions: {
                ...(chromiumPath ? { executablePath: chromiumPath } : {}),
                args: chromiumArgs(gpuModeFromEnv()),
              },
            }),
            instances: [{ browser: 'chromium' }],
          },
        },
      },
    ],
  },
});
