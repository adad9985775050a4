// The page shown instead of the app when WebGPU cannot start: what is missing and how to get it.
import type { GpuErrorInfo } from '../train/protocol.ts';

export function WebGpuMissing({ error }: { error: GpuErrorInfo }) {
  const title = error.kind === 'no-adapter' ? 'No WebGPU adapter found' : 'WebGPU is not available';
  return (
    <div className="missing" data-testid="webgpu-missing">
      <h1>{title}</h1>
      <p className="missing-detail" data-testid="webgpu-missing-detail">
        {error.message}
      </p>
      <h2>What masklab needs</h2>
      <ul>
        <li>
          A Chromium-based browser with WebGPU: <strong>Chrome or Edge 113 or newer</strong> on Windows, macOS or
          ChromeOS. On Linux, if <code>chrome://gpu</code> does not list WebGPU as enabled, start Chrome or
          Chromium with <code>--enable-unsafe-webgpu --enable-features=Vulkan</code>.
        </li>
        <li>
          No usable GPU? Chromium can run WebGPU on the CPU (slow, but it works):{' '}
          <code>chromium --enable-unsafe-webgpu --use-webgpu-adapter=swiftshader</code>
        </li>
        <li>
          Check <code>chrome://gpu</code>: the &quot;WebGPU&quot; line should say &quot;Hardware accelerated&quot;.
        </li>
      </ul>
      <p className="muted">{error.hint}</p>
    </div>
  );
}
