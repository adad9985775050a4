// Saving files the page made (charts, CSV, checkpoints, exports) to the user's downloads.

/** Save a blob through a temporary <a download>. */
export function downloadBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
  // Revoking at once can cancel the download in some browsers; the URL is tiny to keep.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
