// SMPTE timecode from a frame number, a rational frame rate and an optional start timecode.
// 30000/1001 and 60000/1001 use drop-frame when the start timecode says so (';'), else non-drop.

export function nominalFps(rate: string): number {
  const [n, d] = rate.split('/').map(Number);
  const fps = d ? n / d : n;
  return Math.max(1, Math.round(fps || 25));
}

export function parseTimecode(tc: string, fps: number, drop: boolean): number {
  const m = /^(\d{1,2})[:;.](\d{2})[:;.](\d{2})[:;.,](\d{2,3})$/.exec(tc.trim());
  if (!m) return 0;
  const [h, mi, s, f] = m.slice(1).map(Number);
  const totalMinutes = h * 60 + mi;
  let frames = (totalMinutes * 60 + s) * fps + f;
  if (drop) {
    const dropPerMin = Math.round(fps / 15); // 2 at 29.97, 4 at 59.94
    frames -= dropPerMin * (totalMinutes - Math.floor(totalMinutes / 10));
  }
  return frames;
}

export function formatTimecode(frame: number, rate: string, start: string | null = null): string {
  const fps = nominalFps(rate);
  const drop = !!start && start.includes(';') && (fps === 30 || fps === 60);
  let n = frame + (start ? parseTimecode(start, fps, drop) : 0);
  if (drop) {
    const dropPerMin = Math.round(fps / 15);
    const per10 = fps * 600 - dropPerMin * 9;
    const perMin = fps * 60 - dropPerMin;
    const d = Math.floor(n / per10);
    const m = n % per10;
    n += dropPerMin * 9 * d + (m > dropPerMin ? dropPerMin * Math.floor((m - dropPerMin) / perMin) : 0);
  }
  const f = n % fps;
  const s = Math.floor(n / fps) % 60;
  const mi = Math.floor(n / (fps * 60)) % 60;
  const h = Math.floor(n / (fps * 3600)) % 24;
  const p = (v: number): string => String(v).padStart(2, '0');
  return `${p(h)}:${p(mi)}:${p(s)}${drop ? ';' : ':'}${p(f)}`;
}
