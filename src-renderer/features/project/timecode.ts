// Source timecode as the colorist reads it: the clip's start timecode plus the frame number
// (non-drop-frame counting at the nominal rate, as proxies are addressed by frame).
export function frameRateValue(rational: string): number {
  const [n, d] = rational.split('/').map(Number);
  return d ? n / d : n || 24;
}

function timecodeToFrames(tc: string, fps: number): number {
  const m = /^(\d+):(\d+):(\d+)[:;.](\d+)$/.exec(tc);
  if (!m) return 0;
  return ((Number(m[1]) * 60 + Number(m[2])) * 60 + Number(m[3])) * fps + Number(m[4]);
}

export function frameToTimecode(frame: number, rational: string, start: string | null = null): string {
  const fps = Math.round(frameRateValue(rational));
  const total = frame + (start ? timecodeToFrames(start, fps) : 0);
  const f = total % fps;
  const s = Math.floor(total / fps);
  const pad = (v: number) => String(v).padStart(2, '0');
  return `${pad(Math.floor(s / 3600))}:${pad(Math.floor(s / 60) % 60)}:${pad(s % 60)}:${pad(f)}`;
}
