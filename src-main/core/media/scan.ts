// One decode pass over a clip: small rgb24 frames for analysis (shot detection) through a pipe and, when
// asked, a scrub proxy JPEG per frame from the same decode.
import { ServiceError } from '../../common/contract';
import { inputArgs, streamFrames, type Binaries } from './ffmpeg';
import { checkDecodable, clipFilters, colourArgs, outputSize } from './picture';
import { prepareProxyDir, proxyPattern, verifyProxies } from './proxies';
import type { MediaInput, ScanOptions } from './types';

export async function scan(bin: Binaries, input: MediaInput, o: ScanOptions): Promise<{ frames: number }> {
  checkDecodable(input);
  const pre = clipFilters(input);
  const colour = colourArgs(input.probe);
  const head = pre.length ? pre.join(',') + ',' : '';
  const analysis = `scale=${o.analysisWidth}:${o.analysisHeight}:${colour}:flags=area,format=rgb24`;
  const pipe = ['-vsync', 'passthrough', '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'];
  const args = ['-v', 'error', '-nostdin', ...inputArgs(input.file), '-an', '-sn', '-dn'];
  if (o.proxyDir) {
    const { width, height } = outputSize(input);
    const ph = Math.min(o.proxyHeight ?? 270, height);
    const pw = Math.max(2, Math.round((width * ph) / height / 2) * 2);
    prepareProxyDir(o.proxyDir, pw, ph, input.probe.durationFrames);
    const proxy = `scale=${pw}:${ph}:${colour}:flags=bicubic,format=rgb24`;
    args.push(
      ...['-filter_complex', `[0:v]${head}split=2[a][b];[a]${analysis}[d];[b]${proxy}[p]`, '-map', '[d]', ...pipe],
      ...['-map', '[p]', '-vsync', 'passthrough', '-c:v', 'mjpeg', '-q:v', '5', '-start_number', '0'],
      ...['-y', proxyPattern(o.proxyDir)],
    );
  } else {
    args.push('-vf', head + analysis, ...pipe);
  }
  const bytes = o.analysisWidth * o.analysisHeight * 3;
  let frames: number;
  try {
    frames = await streamFrames(bin.ffmpeg, args, bytes, o.onAnalysisFrame, { signal: o.signal, what: input.file });
  } catch (e) {
    if (e instanceof ServiceError && /No space left on device/i.test(e.message))
      throw new ServiceError('io', `Disk full: ${e.message}`);
    throw e;
  }
  if (frames === 0) throw new ServiceError('bad_input', `${input.file}: no decodable video frames`);
  if (o.proxyDir) verifyProxies(o.proxyDir, frames);
  return { frames };
}
