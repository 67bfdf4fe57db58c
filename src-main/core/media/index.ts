// Media access: probe, frame-accurate decode to rgb48le, sequential decode, one-pass scan for shot detection
// and scrub proxies. All through ffmpeg child processes with raw pipes (see ffmpeg.ts); each subject lives
// in its own file, and this one puts them together as the service.
import type { Logger } from '../log';
import { decodeFrame, decodeRange } from './decode';
import { resolveBinaries, type Binaries } from './ffmpeg';
import { fingerprint } from './fingerprint';
import { clipFilters, outputSize, seekArgs } from './picture';
import { probeClip } from './probe';
import { scan } from './scan';
import type { MediaService } from './types';

export { sdrPlanes } from './decode';
export { BACKGROUND_PRIORITY, resolveBinaries, runInBackground, type Binaries } from './ffmpeg';
export { normaliseProbe } from './probe';
export type { MediaInput, MediaService, RgbFrame, ScanOptions } from './types';

export function createMediaService(opts: {
  log: Logger;
  cacheDir: string;
  binaries?: Partial<Binaries>;
}): MediaService {
  const binaries = resolveBinaries(opts.binaries);
  opts.log.debug('media binaries', binaries);
  return {
    binaries,
    probe: (file, o) => probeClip(binaries, file, o),
    fingerprint,
    outputSize,
    decodeFrame: (input, frame, o) => decodeFrame(binaries, input, frame, o),
    decodeRange: (input, from, to, onFrame, o) => decodeRange(binaries, input, from, to, onFrame, o),
    scan: (input, o) => scan(binaries, input, o),
    clipFilters,
    seekArgs,
  };
}
