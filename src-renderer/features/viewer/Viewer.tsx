// The review viewer: SDR source, HDR result (analytic base at once, the network's output when it arrives),
// A/B wipe or side by side, fit or 1:1 with pan, false colour / gamut / safe-area overlays, real-time playback.
import { Box, Typography } from '@mui/material';
import { useCallback, useEffect, useRef, useState } from 'react';
import type { Clip } from '../../../src-main/common/contract';
import { gradePeakNits, type GradeParams } from '../../../src-main/common/colour/grade';
import { eetfUniform } from '../../../src-main/common/colour/eetf';
import { REFERENCE_WHITE_NITS } from '../../../src-main/common/colour/transfer';
import { formatTimecode } from '../../../src-main/common/timecode';
import { useApi } from '../../api';
import { detectHdrDisplay, ExtendedPresenter, type HdrDisplay } from './hdr-display';
import { ViewerPipeline } from './pipeline';
import { usePictures } from './usePictures';
import { usePlayback } from './usePlayback';
import { useCanvasSize, usePointer } from './usePointer';
import { Caption, FalseColourLegend, SafeAreas, Timecode } from './ViewerOverlays';
import { DEFAULT_SETTINGS, ViewerToolbar, type ViewerSettings } from './ViewerToolbar';
import { FIT, imageRect, type Zoom } from './view';
import type { LiveGrade } from './live-grade';
import type { RenderedShot } from './frames';

export interface GradedFrame {
  width: number;
  height: number;
  /**
   * Interleaved BT.2020 PQ R'G'B', 16-bit, rows top to bottom: the HDR result as graded (not display-mapped), at
   * most SCOPE_FRAME_PIXELS (larger pictures point-sampled). A fresh buffer the receiver owns (it may transfer it).
   */
  pq: Uint16Array<ArrayBuffer>;
  source: 'analytic' | 'network' | 'rendered';
  /** What these pixels are, for the scopes to say: e.g. "proxy 384×216", "full frame 3840×2160 every 2nd pixel". */
  sampling: string;
}

/**
 * Where the graded frames go (the scopes), pulled at the receiver's own pace: the viewer reads the graded picture
 * back only when `wants()` (visible, and done with the last frame) and the picture changed since, so a paint
 * never waits for a readback and frames the scopes could not show are never read.
 */
export interface GradedFrameSink {
  wants(): boolean;
  put(f: GradedFrame): void;
  /** Bumped when the receiver dropped what it had (another shot): the current picture is wanted again. */
  readonly epoch: number;
  /** Calls `listener` whenever wants() may have become true. */
  onWant(listener: () => void): () => void;
}

/**
 * The largest frame handed to the scopes: 1920x1080. Their waveform samples about a million pixels anyway
 * (computeScopes' budget); a UHD picture is point-sampled to this rather than read back whole.
 */
export const SCOPE_FRAME_PIXELS = 1920 * 1080;

export interface ViewerProps {
  clip: Clip | null;
  frame: number | null;
  /** The shot's grade, live while a slider moves. */
  grade: GradeParams;
  /** The SDR display's peak for the EETF (default 100 nits). */
  displayPeakNits?: number;
  /** The scopes, fed with the graded picture when they ask for it. */
  scopes?: GradedFrameSink | null;
  /** Playback moved the playhead. */
  onSeek?(frame: number): void;
  /** The grade panel's live grade, drawn at once (before `grade` arrives through a re-render). */
  liveGrade?: LiveGrade | null;
  /** The playhead's shot when its render is current: at rest the viewer shows the render's frames. */
  rendered?: RenderedShot | null;
}

/** How long after the last grade change the draft picture is replaced by the full-resolution grade. */
const REFINE_MS = 120;

export function Viewer(props: ViewerProps) {
  const { clip, frame, grade, displayPeakNits = 100 } = props;
  const api = useApi();
  const glCanvas = useRef<HTMLCanvasElement>(null);
  const hdrCanvas = useRef<HTMLCanvasElement>(null);
  const [pipeline, setPipeline] = useState<ViewerPipeline | null>(null);
  const [glError, setGlError] = useState<string | null>(null);
  const [hdr, setHdr] = useState<HdrDisplay>({ kind: 'sdr', why: 'checking' });
  const presenter = useRef<ExtendedPresenter | null>(null);
  const [settings, setSettings] = useState<ViewerSettings>(DEFAULT_SETTINGS);
  const [zoom, setZoom] = useState<Zoom>(FIT);
  const [wipe, setWipe] = useState(0.5);
  const { box, size } = useCanvasSize();
  const { speed } = usePlayback(clip, frame, props.onSeek);
  const extended = hdr.kind === 'webgpu-extended' && settings.hdrDisplay;

  useEffect(() => {
    try {
      const gl = glCanvas.current!.getContext('webgl2', { antialias: false, preserveDrawingBuffer: true });
      if (!gl) throw new Error('WebGL2 is not available');
      setPipeline(new ViewerPipeline(gl));
    } catch (e) {
      setGlError((e as Error).message);
    }
    void detectHdrDisplay().then(setHdr);
  }, []);
  // The latest everything, for a paint scheduled from an async load.
  const latest = useRef({ props, settings, zoom, wipe, size, extended });
  const raf = useRef(0);
  const refineDue = useRef(false);
  const refineTimer = useRef(0);
  const paintRef = useRef<() => void>(() => undefined);
  /** A live grade drawn ahead of React: it stands while props.grade is still the one it replaced. */
  const direct = useRef<{ grade: GradeParams; over: GradeParams } | null>(null);
  /** Grade passes run, and the one (and the sink's epoch) the scopes last got; a readback in flight. */
  const readback = useRef({ graded: 0, sent: -1, epoch: -1, busy: false });
  const feedScopes = useCallback(() => {
    const p = pipeline,
      sink = latest.current.props.scopes,
      r = readback.current;
    if (!p || !sink || r.busy || (r.sent === r.graded && r.epoch === sink.epoch) || !sink.wants()) return;
    const graded = r.graded,
      epoch = sink.epoch,
      source = p.source,
      picture = p.showsProxy ? 'proxy' : p.quality === 'draft' ? 'grade draft' : 'full frame';
    const read = p.readScopePixels(SCOPE_FRAME_PIXELS);
    if (!read) return;
    r.busy = true;
    void read.then(
      (f) => {
        r.busy = false;
        r.sent = graded;
        r.epoch = epoch;
        const step = f.gradedWidth / f.width;
        const sampled =
          f.width >= f.gradedWidth
            ? ''
            : Number.isInteger(step)
              ? `, every ${step === 2 ? '2nd' : step === 3 ? '3rd' : `${step}th`} pixel`
              : `, sampled at ${f.width}×${f.height}`;
        const sampling = `${picture} ${f.gradedWidth}×${f.gradedHeight}${sampled}`;
        if (latest.current.props.scopes === sink)
          sink.put({ width: f.width, height: f.height, pq: f.pq, source, sampling });
        feedScopes(); // the picture may have changed meanwhile
      },
      () => {
        r.busy = false;
      },
    );
  }, [pipeline]);
  /** The animation frame (its timeline time) in which the canvas was last drawn. */
  const paintedIn = useRef<CSSNumberish | null>(null);
  const paint = useCallback(() => {
    raf.current = 0;
    paintedIn.current = document.timeline.currentTime;
    const p = pipeline,
      l = latest.current;
    const work = p?.workingSize;
    if (!p || !work || !l.props.clip) return;
    const d = direct.current;
    const grade = d && d.over === l.props.grade ? d.grade : l.props.grade;
    p.setGrade(grade);
    // A grade that changed again since the refine was due is drafted again; the refine waits for the next pause.
    if (p.runGrade()) readback.current.graded++;
    else if (refineDue.current && p.refine()) readback.current.graded++;
    refineDue.current = false;
    if (p.quality === 'draft') {
      // The full-resolution grade once the changes pause (a slider held still, the last key of a run).
      clearTimeout(refineTimer.current);
      refineTimer.current = window.setTimeout(() => {
        refineDue.current = true;
        if (!raf.current) raf.current = requestAnimationFrame(paintRef.current);
      }, REFINE_MS);
    }
    // For tests and the bench: which grade is on screen, and a count of paints (set here, not through React).
    const c = glCanvas.current;
    if (c) {
      c.dataset.graded = p.quality;
      c.dataset.paints = String(Number(c.dataset.paints ?? 0) + 1);
    }
    const imageW = l.props.clip.width,
      imageH = Math.round((l.props.clip.width * work[1]) / work[0]);
    const fullRect = imageRect(l.size.w, l.size.h, imageW, imageH, l.settings.mode, l.zoom);
    // While the proxy (scrubbing, playing) or a grade draft is on screen, the canvas is drawn at about that
    // picture's own scale and stretched by CSS: the detail is the small picture's either way, and software WebGL
    // (and a software compositor, which reads the canvas back every frame) handles a quarter of the pixels.
    // At rest, and zoomed in: device pixels.
    const small = p.gradedSize;
    const k =
      small && (p.showsProxy || p.quality === 'draft') && !l.extended && l.zoom.scale === null
        ? Math.max(1, Math.min(fullRect.w / small[0], fullRect.h / small[1]))
        : 1;
    const cw = Math.max(1, Math.round(l.size.w / k)),
      ch = Math.max(1, Math.round(l.size.h / k));
    if (c && (c.width !== cw || c.height !== ch)) {
      // Resizing clears the drawing buffer; it is redrawn below in this same task, so no empty frame is shown.
      c.width = cw;
      c.height = ch;
    }
    if (c) c.dataset.scale = String(Math.round((l.size.w / cw) * 100) / 100);
    const sx = cw / l.size.w,
      sy = ch / l.size.h;
    const rect = { x: fullRect.x * sx, y: fullRect.y * sy, w: fullRect.w * sx, h: fullRect.h * sy };
    const peak = l.props.displayPeakNits ?? 100;
    const out = p.display({
      mode: l.settings.mode,
      rect,
      wipe: l.wipe * cw,
      output: l.extended ? 'extended' : 'sdr',
      displayPeak: peak,
      sdrWhite: REFERENCE_WHITE_NITS,
      eetf: eetfUniform({ displayPeakNits: peak, sourcePeakNits: gradePeakNits(grade) }),
      falseColour: l.settings.falseColour,
      gamutWarning: l.settings.gamutWarning,
    });
    if (out && l.extended && hdr.kind === 'webgpu-extended') {
      presenter.current ??= new ExtendedPresenter(hdrCanvas.current!, hdr.device);
      presenter.current.present(out, l.size.w, l.size.h);
    }
    // After the paint is queued: the scopes' readback never delays the picture.
    feedScopes();
  }, [pipeline, hdr, feedScopes]);
  paintRef.current = paint;
  useEffect(() => () => clearTimeout(refineTimer.current), []);
  const repaint = useCallback(() => {
    if (!raf.current) raf.current = requestAnimationFrame(paint);
  }, [paint]);
  // A new picture is drawn at once, in the task that brought it, so the next frame shows it: drawn on the next
  // animation frame instead, a scrub's picture came a frame late and every other one was skipped. At most one
  // such draw per frame; another picture in the same frame waits for the next.
  const show = useCallback(() => {
    if (paintedIn.current !== null && paintedIn.current === document.timeline.currentTime) return repaint();
    cancelAnimationFrame(raf.current);
    paint();
  }, [paint, repaint]);
  const networkWidth = useCallback(() => latest.current.size.w, []);
  const pictures = usePictures(
    api,
    pipeline,
    clip,
    frame,
    speed !== 0,
    show,
    networkWidth,
    grade.content,
    props.rendered ?? null,
    zoom.scale !== null && zoom.scale > 1,
  );
  latest.current = { props, settings, zoom, wipe, size, extended };
  // A rendered frame stands only under the grade it was rendered with; under another one the pass grades the
  // network's frame, if held, or the analytic base.
  const hdrSource =
    pictures.hdr === 'rendered' && !pipeline?.rendersUnder(grade)
      ? pipeline?.hasNetwork
        ? 'network'
        : 'analytic'
      : pictures.hdr;
  const modelName = (pictures.model ?? 'model').replace(/\.onnx$/, '');

  useEffect(repaint, [repaint, grade, settings, zoom, wipe, size, extended, displayPeakNits]);
  const liveGrade = props.liveGrade;
  useEffect(
    () =>
      liveGrade?.attach((g) => {
        direct.current = { grade: g, over: latest.current.props.grade };
        // Drawn now, in the input's own task: the draft grade reaches the screen with the next composite.
        cancelAnimationFrame(raf.current);
        paint();
      }),
    [liveGrade, paint],
  );
  const onFit = useCallback(() => setZoom(FIT), []);
  const onOneToOne = useCallback(() => setZoom({ scale: 1, panX: 0, panY: 0 }), []);
  const scopes = props.scopes;
  useEffect(() => scopes?.onWant(feedScopes), [scopes, feedScopes]);

  const work = pipeline?.workingSize;
  const imageW = clip?.width ?? 1,
    imageH = work && clip ? Math.round((clip.width * work[1]) / work[0]) : (clip?.height ?? 1);
  const rect = imageRect(size.w, size.h, imageW, imageH, settings.mode, zoom);
  const pointer = usePointer({ settings, zoom, setZoom, wipe, setWipe, size, rect, imageW, dpr: size.dpr });

  const showsHdr = settings.mode !== 'sdr';
  const lines: string[] = [];
  // Wipe and side by side show SDR on the left, HDR on the right: the caption says which is which.
  const split = settings.mode === 'wipe' || settings.mode === 'side';
  if (clip && pictures.sdr) {
    if (settings.mode !== 'hdr')
      lines.push(`${split ? 'Left: ' : ''}SDR · ${pictures.sdr === 'full' ? 'full resolution' : 'proxy'}`);
    if (showsHdr) {
      lines.push(
        `${split ? 'Right: ' : ''}${
          hdrSource === 'rendered'
            ? `HDR · rendered (${modelName}): the master's pixels`
            : hdrSource === 'network'
              ? `HDR · network (${modelName})`
              : 'HDR · analytic base'
        }`,
      );
      // Content "Animation & graphics" with a model that has no graphics variant (a user's file, the analytic one).
      if (hdrSource !== 'analytic' && grade.content !== 'live' && !pictures.model?.includes(`.${grade.content}.`))
        lines.push(`${modelName} has no ${grade.content} variant: running it as it is`);
      lines.push(
        extended
          ? 'HDR display (WebGPU extended range)'
          : `SDR display · EETF ${gradePeakNits(grade)} → ${displayPeakNits} nits`,
      );
    }
  }
  lines.push(...pictures.notes);
  const cssRects = settings.mode === 'side' ? [rect, { ...rect, x: rect.x + size.w / 2 }] : [rect];

  return (
    <Box sx={{ flex: 1, display: 'flex', flexDirection: 'column', minHeight: 0 }} data-testid="viewer">
      <ViewerToolbar
        settings={settings}
        onChange={setSettings}
        zoomed={zoom.scale !== null}
        onFit={onFit}
        onOneToOne={onOneToOne}
        hdrDisplayAvailable={hdr.kind !== 'sdr'}
      />
      {showsHdr && settings.falseColour && <FalseColourLegend />}
      <Box
        ref={box}
        {...pointer}
        sx={{
          flex: 1,
          position: 'relative',
          bgcolor: '#000',
          overflow: 'hidden',
          cursor: settings.mode === 'wipe' ? 'ew-resize' : 'grab',
        }}
      >
        {/* Its drawing buffer's size is set by paint() (device pixels at rest, less while scrubbing). */}
        <canvas
          ref={glCanvas}
          data-testid="viewer-canvas"
          style={{
            position: 'absolute',
            inset: 0,
            width: '100%',
            height: '100%',
            visibility: extended ? 'hidden' : 'visible',
          }}
        />
        <canvas
          ref={hdrCanvas}
          width={size.w}
          height={size.h}
          style={{
            position: 'absolute',
            inset: 0,
            width: '100%',
            height: '100%',
            display: extended ? 'block' : 'none',
          }}
        />
        {clip && pictures.sdr && settings.safeAreas && (
          <SafeAreas
            rects={cssRects.map((r) => ({
              x: r.x / size.dpr,
              y: r.y / size.dpr,
              w: r.w / size.dpr,
              h: r.h / size.dpr,
            }))}
          />
        )}
        {!clip && (
          <Typography
            color="text.secondary"
            variant="body2"
            sx={{ position: 'absolute', top: '50%', width: '100%', textAlign: 'center' }}
          >
            Import footage to begin.
          </Typography>
        )}
        {glError && <Caption lines={[`The viewer cannot draw here: ${glError}`]} />}
        {!glError && <Caption lines={lines} />}
        {clip && frame !== null && (
          <Timecode
            text={`${clip.name} · frame ${frame} · ${formatTimecode(frame, clip.frameRate, clip.startTimecode)}${speed ? ` · ${speed > 0 ? '▶' : '◀'} ${Math.abs(speed)}×` : ''}`}
          />
        )}
      </Box>
    </Box>
  );
}
