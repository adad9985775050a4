import { beforeEach, describe, expect, it } from 'vitest';
import { setGpuError, setGpuReady, useGpuStore } from './gpu.ts';
import type { AdapterReport } from '../train/protocol.ts';

const adapter = { vendor: 'google', architecture: 'swiftshader' } as AdapterReport;

describe('gpu store slice', () => {
  beforeEach(() => useGpuStore.setState({ status: { state: 'checking' } }));

  it('an error before the device exists makes WebGPU unavailable', () => {
    setGpuError({ kind: 'no-adapter', message: 'no adapter', hint: 'h' });
    expect(useGpuStore.getState().status).toMatchObject({ state: 'unavailable', error: { kind: 'no-adapter' } });
  });

  it('an error after the device exists keeps the adapter and adds a banner', () => {
    setGpuReady(adapter);
    setGpuError({ kind: 'device-lost', message: 'lost', hint: 'reload' });
    expect(useGpuStore.getState().status).toMatchObject({ state: 'ready', adapter, error: { kind: 'device-lost' } });
  });
});
