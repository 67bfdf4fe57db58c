// What an export is asked to make: the master's format, where it goes, which rendered frames in which order,
// their measured light, and the mastering display it was graded on. Checked here before any work starts.
import { BT2020, customMasteringDisplay, P3_D65, type MasteringDisplay } from '../../common/colour';
import { ServiceError } from '../../common/contract';
import { escapePattern } from '../media/ffmpeg';

export type MasterFormat = 'hdr10-hevc' | 'prores4444xq' | 'prores422hq' | 'tiff16';
export const MASTER_FORMATS: readonly MasterFormat[] = ['hdr10-hevc', 'prores4444xq', 'prores422hq', 'tiff16'];

/** The mastering displays offered: the grading monitor's gamut and peak (black 0.005 nits for all three). */
export type MasteringPresetName = 'p3-1000' | 'bt2020-1000' | 'p3-4000';
export const MASTERING_DISPLAYS: Readonly<Record<MasteringPresetName, MasteringDisplay>> = {
  'p3-1000': customMasteringDisplay(P3_D65, 1000, 0.005),
  'bt2020-1000': customMasteringDisplay(BT2020, 1000, 0.005),
  'p3-4000': customMasteringDisplay(P3_D65, 4000, 0.005),
};

export interface FrameRate {
  num: number;
  den: number;
}

/** A lossless cache file (FFV1 Matroska or a 16-bit TIFF) and the frames to take from it, counted from 0. */
export interface ExportInput {
  file: string;
  firstFrame: number;
  frames: number;
}

/** One frame's light over its active picture, nits (the render result's per-frame record). */
export interface ExportFrameLight {
  maxCll: number;
  frameAverage: number;
}

export interface ExportPlan {
  format: MasterFormat;
  /** The master file (.mp4/.mov for HEVC, .mov for ProRes) or, for tiff16, the folder to create. */
  out: string;
  mastering: MasteringPresetName;
  frameRate: FrameRate;
  /** In programme order; every file holds BT.2020 PQ full-range R'G'B' of one size. */
  inputs: readonly ExportInput[];
  /** One per exported frame, in programme order. */
  light: readonly ExportFrameLight[];
  audio?: { file: string; startSeconds: number; durationSeconds: number };
  /** "HH:MM:SS:FF" (";" before the frames for drop-frame). */
  startTimecode?: string;
  /** Replace an existing master. */
  force?: boolean;
  /** x265 constant rate factor; the default keeps a master visually transparent. */
  crf?: number;
  /**
   * The delivery raster (e.g. UHD 3840x2160): the rendered frames resized in PQ to fit it, centred on black.
   * Absent: the rendered size. The light written is then measured on the resized pictures, not taken from `light`.
   */
  raster?: { width: number; height: number };
}

/** The delivery rasters offered by name. */
export const RASTERS = { uhd: { width: 3840, height: 2160 } } as const;

export const DEFAULT_CRF = 12;

export function frameCount(plan: ExportPlan): number {
  return plan.inputs.reduce((n, i) => n + i.frames, 0);
}

export function rateString(r: FrameRate): string {
  return `${r.num}/${r.den}`;
}

/** Shape checks that need no file system; throws ServiceError('bad_input'). */
export function checkPlan(plan: ExportPlan): void {
  const bad = (m: string): never => {
    throw new ServiceError('bad_input', `Export: ${m}`);
  };
  if (!MASTER_FORMATS.includes(plan.format)) bad(`unknown format ${String(plan.format)}`);
  if (!(plan.mastering in MASTERING_DISPLAYS)) bad(`unknown mastering display ${String(plan.mastering)}`);
  const { num, den } = plan.frameRate;
  if (!(Number.isInteger(num) && Number.isInteger(den) && num > 0 && den > 0))
    bad('the frame rate must be a rational of positive whole numbers');
  if (plan.inputs.length === 0) bad('nothing to export');
  for (const i of plan.inputs) {
    if (!(Number.isInteger(i.firstFrame) && i.firstFrame >= 0 && Number.isInteger(i.frames) && i.frames > 0))
      bad(`bad frame range for ${i.file}`);
  }
  const n = frameCount(plan);
  if (plan.light.length !== n) bad(`${plan.light.length} light levels for ${n} frames`);
  if (plan.light.some((l) => !(l.maxCll >= 0 && l.frameAverage >= 0))) bad('light levels must be nits >= 0');
  if (plan.startTimecode !== undefined && !/^\d\d:\d\d:\d\d[:;]\d\d$/.test(plan.startTimecode))
    bad(`timecode ${plan.startTimecode} is not HH:MM:SS:FF`);
  if (plan.audio && !(plan.audio.startSeconds >= 0 && plan.audio.durationSeconds > 0))
    bad('audio needs a start >= 0 and a duration > 0');
  if (plan.format !== 'tiff16' && !/\.(mov|mp4)$/i.test(plan.out))
    bad(`${plan.out}: a ${plan.format} master is a .mov${plan.format === 'hdr10-hevc' ? ' or .mp4' : ''} file`);
  if (plan.format.startsWith('prores') && !/\.mov$/i.test(plan.out))
    bad(`${plan.out}: ProRes masters are QuickTime .mov files`);
  if (plan.crf !== undefined && !(plan.crf >= 0 && plan.crf <= 51)) bad('crf must be 0..51');
  const r = plan.raster;
  if (r && !(Number.isInteger(r.width) && Number.isInteger(r.height) && r.width % 2 === 0 && r.height % 2 === 0))
    bad('the raster must be whole, even numbers of pixels');
  if (r && !(r.width >= 16 && r.height >= 16 && r.width <= 8192 && r.height <= 4320)) bad('the raster is out of range');
}

/** A TIFF master is a folder of NAME_0000000.tif, NAME_0000001.tif, ... (NAME: the folder's own name by default). */
export function tiffFrames(folder: string, name?: string): { pattern: string; file(index: number): string } {
  const clean = folder.replace(/[\\/]+$/, '');
  const stem = name ?? clean.split(/[\\/]/).pop() ?? 'frame';
  // The pattern is for ffmpeg's image2 reader: a '%' in the folder or name must be written '%%'.
  return {
    pattern: `${escapePattern(clean)}/${escapePattern(stem)}_%07d.tif`,
    file: (i) => `${clean}/${stem}_${String(i).padStart(7, '0')}.tif`,
  };
}
