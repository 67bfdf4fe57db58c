// exportMaster: rendered frames -> an HDR10 master (HEVC, ProRes, or a 16-bit TIFF sequence), written under a
// temporary name, read back and verified, and only then given its name. Where it goes is checked before any
// work; whatever fails (disk full, cancel, a verification mismatch) leaves no master and no partial file behind.
import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { aggregateLightLevels, cta861Value, type FrameLightLevel } from '../../common/colour';
import { bt2100PqIccProfile } from '../../common/colour/icc';
import { ServiceError } from '../../common/contract';
import { checkOutputFile } from '../../node/output-path';
import type { Logger } from '../log';
import { encodeTiff16 } from '../master/tiff16';
import { writeHdr10Boxes } from '../master/mp4-boxes';
import { lastLines, resolveBinaries, type Binaries } from '../media/ffmpeg';
import { concatInputArgs, concatList, encodeArgs, programmeFilter, rasterFilter } from './ffmpeg-args';
import { measureEncoderInput } from './encoder-input';
import { forEachFrame, programmeSize } from './frames';
import { LightMeter, type MeasuredLight } from './light-meter';
import {
  checkPlan,
  DEFAULT_CRF,
  frameCount,
  MASTERING_DISPLAYS,
  tiffFrames,
  type ExportPlan,
  type MasterFormat,
} from './plan';
import { makeSidecar, sidecarJson, sidecarPaths, sidecarXml } from './sidecar';
import { verifyMaster, type EncoderInputLight, type MasterExpectation, type VerifyReport } from './verify';

export interface ExportProgress {
  /** 'measure': a resized (raster) programme's light, measured before the encode. */
  phase: 'measure' | 'encode' | 'verify';
  done: number;
  total: number;
}

export interface ExportDeps {
  log: Logger;
  signal?: AbortSignal;
  onProgress?(p: ExportProgress): void;
  binaries?: Binaries;
}

export interface ExportResult {
  /** False when the read-back found a mismatch: nothing was left under the master's name. */
  ok: boolean;
  out: string;
  sidecars: { json: string; xml: string } | null;
  frames: number;
  width: number;
  height: number;
  /** CTA-861.3 values written, from the rendered frames' measured light. */
  maxCll: number;
  maxFall: number;
  report: VerifyReport;
  seconds: { encode: number; verify: number };
}

/**
 * Bytes a master may take, for the free-space check: nominal data rates with headroom for ProRes, a generous
 * rate for HEVC twice over (the container boxes are added through a full copy), raw size for TIFF.
 */
export function estimateMasterBytes(
  format: MasterFormat,
  width: number,
  height: number,
  frames: number,
  audioBytes = 0,
): number {
  const px = width * height * frames;
  const bitsPerPixel: Record<MasterFormat, number> = {
    'hdr10-hevc': 2 * 0.6,
    prores4444xq: 12,
    prores422hq: 5.3,
    tiff16: 48,
  };
  const perFile = format === 'tiff16' ? frames * 8192 : 65536;
  return Math.ceil((px * bitsPerPixel[format]) / 8) + perFile + audioBytes + 65536;
}

/** Folder, name and free space, before any work (ServiceError with the real cause). */
function preflight(plan: ExportPlan, out: string, sidecars: { json: string; xml: string } | null): void {
  const opts = { force: plan.force };
  if (sidecars) for (const s of [sidecars.json, sidecars.xml]) checkOutputFile(s, opts);
  if (plan.format !== 'tiff16') {
    checkOutputFile(out, opts);
    return;
  }
  if (existsSync(out)) {
    if (!statSync(out).isDirectory())
      throw new ServiceError('bad_input', `Cannot write a TIFF sequence to ${out}: it is a file`);
    if (!plan.force) throw new ServiceError('conflict', `${out} already exists; use --force to replace it`);
  }
}

function ioError(e: unknown, out: string): unknown {
  const text = e instanceof Error ? e.message : String(e);
  if ((e as NodeJS.ErrnoException).code === 'ENOSPC' || /no space left/i.test(text)) {
    return new ServiceError('io', `No space left on the disk while writing ${basename(out)}; nothing was kept`);
  }
  return e;
}

/** Whether process `pid` exists (EPERM: it does, under another user). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes what killed exports of this same output left: `.<name>.partial-<pid>…` files and folders whose process
 * is gone. A live pid's partial is another export still writing, and is left alone.
 */
async function removeStalePartials(out: string, log: Logger): Promise<void> {
  const prefix = `.${basename(out)}.partial-`;
  const names = await readdir(dirname(out)).catch(() => [] as string[]);
  for (const name of names) {
    // `..<name>.partial-<pid>…`: writeHdr10Boxes's copy of a partial (`.<file>.<pid>.hdr10.tmp`), killed mid-copy.
    const at = name.startsWith(prefix) ? prefix.length : name.startsWith(`.${prefix}`) ? prefix.length + 1 : -1;
    if (at < 0) continue;
    const pid = /^\d+/.exec(name.slice(at));
    if (!pid || Number(pid[0]) === process.pid || isAlive(Number(pid[0]))) continue;
    log.info(`export: removing ${name}, left by a killed export (pid ${pid[0]})`);
    await rm(join(dirname(out), name), { recursive: true, force: true });
  }
}

/**
 * Runs the encoder, which reads the cache files itself (their concat list on its stdin: no file to leave behind);
 * resolves with the frames it wrote (from its -progress report on stdout) and rejects with ffmpeg's own last
 * words if it fails.
 */
async function encodeVideo(
  bin: Binaries,
  args: string[],
  concatList: string,
  onFrames: (done: number) => void,
  signal?: AbortSignal,
): Promise<number> {
  if (signal?.aborted) throw new ServiceError('cancelled', 'Cancelled');
  const child = spawn(bin.ffmpeg, ['-progress', 'pipe:1', '-nostats', ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
    windowsHide: true,
  });
  child.stdin.on('error', () => undefined); // an encoder that fails early closes its stdin; its exit says why
  child.stdin.end(concatList);
  let err = '';
  child.stderr.on('data', (b: Buffer) => {
    if (err.length < 65536) err += b.toString();
  });
  let frames = 0;
  let pending = '';
  child.stdout.on('data', (b: Buffer) => {
    pending += b.toString();
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      const m = /^frame=(\d+)/.exec(line);
      if (m && Number(m[1]) !== frames) onFrames((frames = Number(m[1])));
    }
  });
  const closed = new Promise<number | null>((res, rej) => {
    child.on('error', (e) => rej(new ServiceError('internal', `Cannot run ${bin.ffmpeg}: ${e.message}`)));
    child.on('close', res);
  });
  const onAbort = (): void => void child.kill('SIGKILL');
  signal?.addEventListener('abort', onAbort, { once: true });
  const code = await closed.finally(() => signal?.removeEventListener('abort', onAbort));
  if (signal?.aborted) throw new ServiceError('cancelled', 'Cancelled');
  if (code !== 0) throw new ServiceError('io', `Encoding failed: ${lastLines(err)}`);
  return frames;
}

const ctaLight = (m: MeasuredLight) => ({ maxCll: cta861Value(m.maxCll), maxFall: cta861Value(m.maxFall) });

export async function exportMaster(plan: ExportPlan, deps: ExportDeps): Promise<ExportResult> {
  checkPlan(plan);
  const { log, signal } = deps;
  const bin = deps.binaries ?? resolveBinaries();
  const out = resolve(plan.out);
  const tiff = plan.format === 'tiff16';
  const sidecars = plan.format === 'hdr10-hevc' ? null : sidecarPaths(out);
  preflight(plan, out, sidecars);
  await removeStalePartials(out, log); // before the free-space check, so their space counts as free
  const rendered = await programmeSize(bin, plan.inputs);
  const { width, height } = plan.raster ?? rendered;
  const raster = plan.raster ? rasterFilter(rendered, plan.raster) : '';
  const videoFilter = [programmeFilter(plan.inputs, plan.frameRate), raster].filter(Boolean).join(',');
  const frames = frameCount(plan);
  const audioBytes = plan.audio ? statSync(plan.audio.file).size : 0;
  checkOutputFile(tiff ? sidecars!.json : out, {
    force: true,
    estimateBytes: estimateMasterBytes(plan.format, width, height, frames, audioBytes),
  });

  const mastering = MASTERING_DISPLAYS[plan.mastering];
  const active = { x: 0, y: 0, width, height };
  const light: FrameLightLevel[] = plan.light.map((l) => ({
    maxCll: l.maxCll,
    fall: l.frameAverage,
    active,
    outsideBt709: NaN,
    outsideP3: NaN,
  }));
  // Resized pictures are not the rendered ones: their light is measured on them (below), not taken from the render.
  let { maxCll, maxFall } = aggregateLightLevels(light).programme.cta;
  let encoderInput: EncoderInputLight | undefined;
  const stem = basename(out);
  const tmp = join(dirname(out), `.${stem}.partial-${process.pid}${tiff ? '' : extname(out)}`);
  const tmpSidecars = sidecars && { json: `${tmp}.hdr10.json`, xml: `${tmp}.hdr10.xml` };
  const cleanup = async (): Promise<void> => {
    await Promise.all(
      [tmp, tmpSidecars?.json, tmpSidecars?.xml]
        .filter((p): p is string => !!p)
        .map((p) => rm(p, { recursive: true, force: true })),
    );
  };
  log.info(`export ${plan.format} ${width}x${height} ${frames} frames -> ${out}`, {
    maxCll,
    maxFall,
    mastering: plan.mastering,
  });
  // A TIFF sequence holds pictures only; its sidecar carries the start timecode.
  if (tiff && plan.audio) log.warn('export: a TIFF sequence carries no audio; deliver it separately');
  const progress = (done: number): void => deps.onProgress?.({ phase: 'encode', done, total: frames });
  let report: VerifyReport;
  const t0 = Date.now();
  let t1 = t0;
  try {
    if (plan.format === 'tiff16') {
      await mkdir(tmp);
      const icc = bt2100PqIccProfile();
      const seq = tiffFrames(tmp, stem);
      const meter = raster ? new LightMeter(width, height) : null;
      await forEachFrame(
        bin,
        plan.inputs,
        width,
        height,
        async (rgb, i) => {
          await writeFile(seq.file(i), encodeTiff16(width, height, rgb, icc));
          meter?.add(new Uint8Array(rgb.buffer, rgb.byteOffset, rgb.byteLength));
          progress(i + 1);
        },
        signal,
        raster,
      );
      if (meter) ({ maxCll, maxFall } = ctaLight(meter.result()));
    } else {
      if (raster) {
        // The SEI is written as the encode starts: the resized programme is measured first, in a pass of its own.
        const measured = (done: number) => deps.onProgress?.({ phase: 'measure', done, total: frames });
        encoderInput = await measureEncoderInput(bin, plan, videoFilter, { width, height }, signal, measured);
        ({ maxCll, maxFall } = ctaLight(encoderInput.given));
      }
      // The encoder reads the cache files itself, as a plain ffmpeg encode would: no frames through Node.
      const args = encodeArgs({
        format: plan.format,
        video: { input: concatInputArgs('-'), filter: videoFilter },
        width,
        height,
        rate: plan.frameRate,
        mastering,
        maxCll,
        maxFall,
        crf: plan.crf ?? DEFAULT_CRF,
        audio: plan.audio,
        timecode: plan.startTimecode,
        out: tmp,
      });
      const list = concatList(plan.inputs, plan.frameRate);
      const written = await encodeVideo(bin, args, list, progress, signal);
      if (written !== frames) {
        throw new ServiceError(
          'bad_input',
          `The rendered files gave ${written} frames where the export asks for ${frames} (${plan.inputs.map((i) => basename(i.file)).join(', ')}): a file holds fewer frames than planned`,
        );
      }
      progress(frames);
      if (plan.format === 'hdr10-hevc') await writeHdr10Boxes(tmp, { mastering, maxCll, maxFall });
    }
    if (tmpSidecars) {
      const s = makeSidecar({
        master: stem,
        format: plan.format,
        width,
        height,
        frames,
        rate: plan.frameRate,
        timecode: plan.startTimecode,
        preset: plan.mastering,
        mastering,
        maxCll,
        maxFall,
      });
      await writeFile(tmpSidecars.json, sidecarJson(s));
      await writeFile(tmpSidecars.xml, sidecarXml(s));
    }
    t1 = Date.now();
    deps.onProgress?.({ phase: 'verify', done: 0, total: 1 });
    const expected: MasterExpectation = {
      format: plan.format,
      width,
      height,
      frames,
      frameRate: plan.frameRate,
      mastering,
      maxCll,
      maxFall,
      audio: plan.audio && !tiff ? { durationSeconds: plan.audio.durationSeconds } : undefined,
      timecode: tiff ? undefined : plan.startTimecode,
      sidecars: tmpSidecars ?? undefined,
      tiffName: stem,
      encoderInput: tiff
        ? undefined
        : async () => (encoderInput ??= await measureEncoderInput(bin, plan, videoFilter, { width, height }, signal)),
    };
    report = await verifyMaster(tmp, expected, bin);
    deps.onProgress?.({ phase: 'verify', done: 1, total: 1 });
    if (!report.ok) {
      log.error(
        `export ${out}: read-back failed`,
        report.checks.filter((c) => !c.ok),
      );
      await cleanup();
    } else {
      if (tmpSidecars && sidecars) {
        await rename(tmpSidecars.json, sidecars.json);
        await rename(tmpSidecars.xml, sidecars.xml);
      }
      await placeMaster(tmp, out, tiff);
    }
  } catch (e) {
    await cleanup();
    throw ioError(e, out);
  }
  const seconds = { encode: (t1 - t0) / 1000, verify: (Date.now() - t1) / 1000 };
  log.info(`export ${out}: ${report.ok ? 'verified' : 'FAILED verification'}`, seconds);
  return {
    ok: report.ok,
    out,
    sidecars,
    frames,
    width,
    height,
    maxCll,
    maxFall,
    report: { ...report, file: out },
    seconds,
  };
}

/** The master last, so its name appearing means the export is complete. A replaced TIFF folder goes only once the new one is in place. */
async function placeMaster(tmp: string, out: string, folder: boolean): Promise<void> {
  if (!folder || !existsSync(out)) return rename(tmp, out);
  const old = `${tmp}.replaced`;
  await rename(out, old);
  await rename(tmp, out);
  await rm(old, { recursive: true, force: true });
}
