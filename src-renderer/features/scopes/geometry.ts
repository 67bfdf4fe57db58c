// Where things sit on the scopes: the code-value axis the waveform, parade and histogram share (10-bit
// narrow-range PQ, as a delivered master carries it), its nits graticule, and the CIE plot's extent.
// Pure: the worker builds traces on it and the canvases draw the graticule on the same numbers.
import { CIE_X_MAX, CIE_Y_MAX, SCOPE_LEVELS, waveformScale } from '../../../src-main/common/colour/scopes';

/** Graticule levels on the PQ axis, nits. */
export const NITS_TICKS: readonly number[] = [0.1, 1, 10, 100, 203, 1000, 4000, 10000];
/** The levels a colorist aims at, drawn brighter: SDR white, HDR reference white (BT.2408), a common peak. */
export const KEY_NITS: readonly number[] = [100, 203, 1000];

/** Every 10-bit code 0..1023 (super-black and super-white included) on the axis. */
export const CODE_MIN = 0;
export const CODE_MAX = SCOPE_LEVELS - 1;
/** Rows of a waveform or parade trace image (four codes each: about as many as a scope panel is tall). */
export const TRACE_ROWS = 256;
/** Columns the frame's width is binned into for the waveform (the parade has three panels of these). */
export const TRACE_COLUMNS = 320;

export const CIE_EXTENT = { xMax: CIE_X_MAX, yMax: CIE_Y_MAX };

export interface PlotBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Canvas y of a code value inside the plot (code CODE_MAX at the top edge). */
export function codeToY(code: number, box: PlotBox): number {
  return box.y + ((CODE_MAX - code) / (CODE_MAX - CODE_MIN)) * box.height;
}

/** Canvas x of a code value along the histogram's axis. */
export function codeToX(code: number, box: PlotBox): number {
  return box.x + ((code - CODE_MIN) / (CODE_MAX - CODE_MIN)) * box.width;
}

/** The graticule: each tick's nits, its code value and a label (10000 as 10k). */
export function nitsGraticule(): { nits: number; code: number; label: string }[] {
  return waveformScale('narrow', NITS_TICKS).map((t) => ({ ...t, label: t.nits >= 10000 ? '10k' : String(t.nits) }));
}

/** Canvas position of a CIE 1931 chromaticity inside the plot. */
export function xyToCanvas(x: number, y: number, box: PlotBox): [number, number] {
  return [box.x + (x / CIE_EXTENT.xMax) * box.width, box.y + box.height - (y / CIE_EXTENT.yMax) * box.height];
}
