// The light of what a lossy master's encoder is given, measured without encoding: the read-back's reference when
// a master's saturated edges decode far brighter than its frames were rendered (see verify.ts).
import { spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { ServiceError } from '../../common/contract';
import { lastLines, type Binaries } from '../media/ffmpeg';
import { concatInputArgs, concatList, encoderInputArgs, GIVEN_FD, SAMPLED_FD } from './ffmpeg-args';
import { forEachRawFrame } from './frames';
import { LightMeter, type MeasuredLight } from './light-meter';
import type { ExportPlan, MasterFormat } from './plan';
import type { EncoderInputLight } from './verify';

/**
 * The light of the encoder's input, measured without encoding (encoderInputArgs): the programme's frames, and
 * the same at the master's sampling and back. One more pass over the cache files, which the read-back asks for
 * only when the decoded master's light is far from the written values (see verify.ts).
 */
export async function measureEncoderInput(
  bin: Binaries,
  plan: ExportPlan,
  /** The encoder's filters before its conversion: programmeFilter, and the raster's resize if any. */
  filter: string,
  picture: { width: number; height: number },
  signal?: AbortSignal,
  /** Frames measured so far, as they are. */
  onFrame?: (done: number) => void,
): Promise<EncoderInputLight> {
  if (signal?.aborted) throw new ServiceError('cancelled', 'Cancelled');
  const video = { input: concatInputArgs('-'), filter };
  const args = encoderInputArgs(video, plan.format as Exclude<MasterFormat, 'tiff16'>);
  const child = spawn(bin.ffmpeg, args, { stdio: ['pipe', 'ignore', 'pipe', 'pipe', 'pipe'], windowsHide: true });
  const stdin = child.stdio[0] as Writable;
  stdin.on('error', () => undefined); // an ffmpeg that fails early closes its stdin; its exit says why
  stdin.end(concatList(plan.inputs, plan.frameRate));
  let err = '';
  (child.stdio[2] as Readable).on('data', (b: Buffer) => {
    if (err.length < 16384) err += b.toString();
  });
  const closed = new Promise<number | null>((res, rej) => {
    child.on('error', (e) => rej(new ServiceError('internal', `Cannot run ${bin.ffmpeg}: ${e.message}`)));
    child.on('close', res);
  });
  closed.catch(() => undefined); // awaited below, after the pipes; a spawn failure must not go unhandled meanwhile
  // Both pipes are read to their ends together, so ffmpeg never blocks on a full one.
  const measure = async (fd: number): Promise<MeasuredLight> => {
    const meter = new LightMeter(picture.width, picture.height);
    let done = 0;
    await forEachRawFrame(child.stdio[fd] as Readable, meter.frameBytes, (f) => {
      meter.add(f);
      if (fd === GIVEN_FD) onFrame?.(++done);
    });
    return meter.result();
  };
  const onAbort = (): void => void child.kill('SIGKILL');
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const [given, sampled] = await Promise.all([measure(GIVEN_FD), measure(SAMPLED_FD)]).catch((e: unknown) => {
      child.kill('SIGKILL');
      throw e;
    });
    const code = await closed;
    if (signal?.aborted) throw new ServiceError('cancelled', 'Cancelled');
    if (code !== 0) throw new ServiceError('io', `Measuring the programme failed: ${lastLines(err)}`);
    return { given, sampled };
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}
