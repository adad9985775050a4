// WebGPU status: which adapter the engine got, whether it is a software fallback, the limits
// that bound model size (largest storage binding, workgroup memory and size), and the GPU
// buffers alive now (a number that should return to the same value run after run).
import { useEffect } from 'react';
import { useGpuStore } from '../store/gpu.ts';
import { engine } from '../train/client.ts';
import type { AdapterReport } from '../train/protocol.ts';
import { KernelTuning } from './KernelTuning.tsx';

const MiB = 2 ** 20;
const fmtBytes = (b: number) => (b >= MiB ? `${(b / MiB).toFixed(0)} MiB` : `${(b / 1024).toFixed(0)} KiB`);
/** How often the panel asks the engine for its counters (a message each way, nothing on the GPU). */
const STATS_EVERY_MS = 5000;

/** Live GPU buffers and their bytes, asked for while the panel is shown. */
function LiveBuffers() {
  const stats = useGpuStore((s) => s.stats);
  useEffect(() => {
    void engine.gpuStats();
    const t = setInterval(() => void engine.gpuStats(), STATS_EVERY_MS);
    return () => clearInterval(t);
  }, []);
  return (
    <div className="kv-row">
      <dt>Live GPU buffers</dt>
      <dd data-testid="gpu-live-buffers">{stats ? `${stats.liveBuffers} · ${fmtBytes(stats.liveBytes)}` : '–'}</dd>
    </div>
  );
}

export function GpuStatusPanel({ adapter }: { adapter: AdapterReport }) {
  const l = adapter.limits;
  const rows: [string, string][] = [
    ['Largest storage binding', fmtBytes(l.maxStorageBufferBindingSize)],
    ['Largest buffer', fmtBytes(l.maxBufferSize)],
    ['Workgroup memory', fmtBytes(l.maxComputeWorkgroupStorageSize)],
    ['Invocations per workgroup', String(l.maxComputeInvocationsPerWorkgroup)],
    ['Storage buffers per stage', String(l.maxStorageBuffersPerShaderStage)],
  ];
  return (
    <section className="panel" data-testid="gpu-status" aria-label="WebGPU status">
      <h2>WebGPU</h2>
      <dl className="kv">
        <dt>Adapter</dt>
        <dd data-testid="adapter-name">
          {adapter.vendor || 'unknown vendor'} · <span data-testid="adapter-architecture">{adapter.architecture || 'unknown architecture'}</span>
          {adapter.description ? ` · ${adapter.description}` : ''}
        </dd>
        <dt>Kind</dt>
        <dd data-testid="adapter-fallback">
          {adapter.isFallbackAdapter ? 'software fallback (CPU): expect slow training' : 'hardware GPU'}
        </dd>
        <dt>Features</dt>
        <dd>{adapter.deviceFeatures.join(', ') || 'none'}</dd>
        {rows.map(([k, v]) => (
          <div key={k} className="kv-row">
            <dt>{k}</dt>
            <dd>{v}</dd>
          </div>
        ))}
        <LiveBuffers />
      </dl>
      <KernelTuning />
    </section>
  );
}
