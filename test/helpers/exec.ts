// Runs a tool to completion for a test and returns its stdout; a non-zero exit fails the test with stderr.
// ffmpeg and ffprobe are the ones the app itself uses (resolveBinaries: bundled, or the user's override).
import { resolveBinaries, run } from '../../src-main/core/media/ffmpeg';

export const { ffmpeg: FFMPEG, ffprobe: FFPROBE } = resolveBinaries();

export async function execOk(bin: string, args: string[]): Promise<Buffer> {
  const r = await run(bin, args, { maxStdout: 1 << 30 });
  if (r.code !== 0) throw new Error(`${bin} ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return r.stdout;
}
