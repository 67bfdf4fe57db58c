// Time left, in a colorist's words: one formatter for the app's job rows and the command line's progress.
export function formatEta(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '';
  if (seconds < 1) return 'under a second left';
  if (seconds < 60) return `${Math.round(seconds)} s left`;
  const m = Math.floor(seconds / 60);
  const s = Math.round(seconds % 60);
  return m < 60 ? `${m} min ${String(s).padStart(2, '0')} s left` : `${Math.floor(m / 60)} h ${m % 60} min left`;
}
