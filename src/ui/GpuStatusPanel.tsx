// WebGPU status: which adapter the engine got, whether it is a software fallback, and the limits
// that bound model size (largest storage binding, workgroup memory and size).
import type { AdapterReport } from '../train/protocol.ts';

const MiB = 2 ** 20;
const fmtBytes = (b: number) => (b >= MiB ? `${(b / MiB).toFixed(0)} MiB` : `${(b / 1024).toFixed(0)} KiB`);

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
      </dl>
    </section>
  );
}
