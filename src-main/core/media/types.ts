// The media service's shapes, shared by its parts and its callers.
import type { ClipOptions, ProbeResult } from '../../common/contract';
import type { DecodeOptions } from './decode';
import type { Binaries } from './ffmpeg';

/** What decoding needs to know about a clip: its file, its probe and the per-clip options. */
export interface MediaInput {
  file: string;
  probe: ProbeResult;
  options: ClipOptions;
}

export interface RgbFrame {
  frame: number;
  width: number;
  height: number;
  /** rgb48le: width*height*3 little-endian uint16, full range R'G'B' (BT.709 primaries/transfer as in the source). */
  data: Buffer;
}

export interface ScanOptions {
  /** Small frames for analysis (rgb24), e.g. 64x36. */
  analysisWidth: number;
  analysisHeight: number;
  onAnalysisFrame(rgb: Buffer, index: number): void;
  /** Folder to write one JPEG per frame (000000.jpg...), or null for none. */
  proxyDir: string | null;
  proxyHeight?: number;
  signal?: AbortSignal;
}

export interface MediaService {
  readonly binaries: Binaries;
  probe(file: string, opts?: { signal?: AbortSignal }): Promise<ProbeResult>;
  /** Fast content fingerprint: size + SHA-1 of the first, middle and last 256 KiB. Opens the file read-only. */
  fingerprint(file: string): string;
  /** Decoded, display-ready size for a clip (square pixels applied) scaled to `width` when given. */
  outputSize(input: MediaInput, width?: number): { width: number; height: number };
  /** Frame-accurate: frame N (0-based, in decode order after deinterlace) as rgb48le. */
  decodeFrame(input: MediaInput, frame: number, opts?: { width?: number; signal?: AbortSignal }): Promise<RgbFrame>;
  /** Sequential decode of frames [from, to] without re-seeking (for renders). */
  decodeRange(
    input: MediaInput,
    from: number,
    to: number,
    onFrame: (f: RgbFrame) => void | Promise<void>,
    opts?: DecodeOptions,
  ): Promise<number>;
  /**
   * One decode pass: analysis frames to a callback, and optionally a JPEG per frame for scrubbing. Fails when
   * the proxy folder lacks the space for them or ffmpeg left any missing or empty.
   */
  scan(input: MediaInput, opts: ScanOptions): Promise<{ frames: number }>;
  /** Filters that every decode of this clip applies (deinterlace, square pixels), for other modules' ffmpeg runs. */
  clipFilters(input: MediaInput): string[];
  /** The input arguments to seek precisely to `frame` (used before -i). */
  seekArgs(input: MediaInput, frame: number): string[];
}
