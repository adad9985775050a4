// The engine's message loop, independent of where it runs: the Web Worker wraps it with
// postMessage, the headless page wraps it with a function the CLI exposes. It owns the GPU.
// [A] only brings the device up and reports it; [B] adds the model and the training loop.

import { initGpu, type Gpu } from '../gpu/device.ts';
import { toGpuErrorInfo } from '../gpu/errors.ts';
import type { EngineCommand, PostEvent } from './protocol.ts';

export interface Engine {
  handle(cmd: EngineCommand): Promise<void>;
}

export function createEngine(post: PostEvent, opts: { gpu?: GPU } = {}): Engine {
  let gpu: Gpu | null = null;

  async function init(): Promise<void> {
    if (gpu) {
      post({ type: 'gpu-ready', adapter: gpu.report });
      return;
    }
    try {
      gpu = await initGpu({
        ...(opts.gpu ? { gpu: opts.gpu } : {}),
        onError: (error) => post({ type: 'gpu-error', error }),
      });
      post({ type: 'gpu-ready', adapter: gpu.report });
    } catch (e) {
      post({ type: 'gpu-error', error: toGpuErrorInfo(e) });
    }
  }

  return {
    async handle(cmd) {
      switch (cmd.type) {
        case 'init':
          return init();
      }
    },
  };
}
