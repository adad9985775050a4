// An error that happened after start-up (device lost, out of memory): shown above the app, which
// stays as it was so nothing the user had disappears.
import type { GpuErrorInfo } from '../train/protocol.ts';

export function ErrorBanner({ error }: { error: GpuErrorInfo }) {
  return (
    <div className="error-banner" role="alert" data-testid="error-banner">
      <strong>{error.message}</strong>
      <span>{error.hint}</span>
    </div>
  );
}
