// An error the user can act on (device lost, out of memory, a bad setting, a bad file): shown
// above the app, which stays as it was so nothing the user had disappears. Dismissable when the
// caller allows it.
import type { GpuErrorInfo } from '../train/protocol.ts';

export function ErrorBanner({ error, onDismiss, kind = 'error' }: { error: Pick<GpuErrorInfo, 'message' | 'hint'>; onDismiss?: () => void; kind?: 'error' | 'notice' }) {
  return (
    <div className={kind === 'error' ? 'error-banner' : 'error-banner notice'} role={kind === 'error' ? 'alert' : 'status'} data-testid={`${kind}-banner`}>
      <strong>{error.message}</strong>
      <span>{error.hint}</span>
      {onDismiss && (
        <button className="dismiss" onClick={onDismiss} aria-label="Dismiss">
          ×
        </button>
      )}
    </div>
  );
}
