// Reading a master back after export: what ffprobe sees in the streams, the container and the first frame's
// SEI, the MP4/MOV colour boxes, the frame count and duration, the sidecars, and its light re-measured from the
// decoded pictures. Every check is listed with what was expected and what was found; one failure fails it.
import { readdirSync, readFileSync } from 'node:fs';
import {
  LightLevelAggregator,
  masteringDisplayCodes,
  measureFrame,
  nitsToPq,
  parseFfmpegMasteringSideData,
  x265MasterDisplay,
  type MasteringDisplay,
} from '../../common/colour';
import { bt2100PqIccProfile } from '../../common/colour/icc';
import { readHdr10Boxes } from '../master/mp4-boxes';
import { inputArgs, resolveBinaries, run, streamFrames, type Binaries } from '../media/ffmpeg';
import {
  countFramesArgs,
  decodeMasterArgs,
  firstFrameArgs,
  masterPixFmt,
  probeArgs,
  tiffSequenceInput,
} from './ffmpeg-args';
import { rateString, tiffFrames, type FrameRate, type MasterFormat } from './plan';
import type { HdrSidecar } from './sidecar';

export interface MasterExpectation {
  format: MasterFormat;
  width: number;
  height: number;
  frames: number;
  frameRate: FrameRate;
  mastering: MasteringDisplay;
  /** CTA-861.3 values written (whole nits). */
  maxCll: number;
  maxFall: number;
  audio?: { durationSeconds: number };
  timecode?: string;
  sidecars?: { json: string; xml: string };
  /** TIFF frames' file stem when the folder is not (yet) named after it. */
  tiffName?: string;
}

export interface VerifyCheck {
  name: string;
  expected: unknown;
  actual: unknown;
  ok: boolean;
}
export interface VerifyReport {
  file: string;
  ok: boolean;
  checks: VerifyCheck[];
  measured: { maxCll: number; maxFall: number };
}

/**
 * How far the light re-measured from a lossy master may sit from what was written, in PQ 10-bit code steps (the
 * signal's own resolution; one step is about 1% of the light anywhere on the curve). The written values are
 * measured on the rendered 4:4:4 frames, as CTA-861.3 asks. Quantising to 10 bits moves a pixel by up to half
 * a step, and the codec adds its own error at sharp edges: 4 steps covers 4:4:4 masters and every frame
 * average. A single pixel's max(R,G,B) is another matter in 4:2:0 / 4:2:2: a bright pixel that shares its
 * chroma sample with a saturated neighbour comes back with that neighbour's colour added (the graded demo
 * shot's highlights re-measured 2704 nits against 2133 written, 23 steps), so MaxCLL of a subsampled master
 * gets half a stop (32 steps). A wrong value (another programme's, a typed-in 1000 for a 4000-nit grade, or 0)
 * is off by far more. Lossless TIFF must agree exactly.
 */
export const LIGHT_TOLERANCE_PQ_CODES = 4;
export const SUBSAMPLED_MAXCLL_TOLERANCE_PQ_CODES = 32;

type Json = Record<string, unknown>;
interface Probe {
  streams?: Json[];
  format?: Json;
  frames?: Json[];
}

async function ffprobeJson<T>(bin: Binaries, args: string[]): Promise<T | null> {
  const r = await run(bin.ffprobe, args, { maxStdout: 16 << 20 });
  try {
    return r.code === 0 ? (JSON.parse(r.stdout.toString()) as T) : null;
  } catch {
    return null;
  }
}

const pqCodes = (nits: number): number => nitsToPq(nits) * 876;

function lightChecks(
  format: MasterFormat,
  e: MasterExpectation,
  m: { maxCll: number; maxFall: number },
): VerifyCheck[] {
  const cll = Math.round(m.maxCll),
    fall = Math.round(m.maxFall);
  if (format === 'tiff16') {
    return [
      { name: 'MaxCLL re-measured (exact, lossless)', expected: e.maxCll, actual: cll, ok: cll === e.maxCll },
      { name: 'MaxFALL re-measured (exact, lossless)', expected: e.maxFall, actual: fall, ok: fall === e.maxFall },
    ];
  }
  const t = LIGHT_TOLERANCE_PQ_CODES;
  const tc = format === 'prores4444xq' ? t : SUBSAMPLED_MAXCLL_TOLERANCE_PQ_CODES;
  const steps = (a: number, b: number): number => Math.abs(pqCodes(a) - pqCodes(b));
  return [
    {
      name: `MaxCLL re-measured (within ${tc} PQ 10-bit steps${tc === t ? '' : ': chroma subsampling'})`,
      expected: e.maxCll,
      actual: cll,
      ok: steps(m.maxCll, e.maxCll) <= tc,
    },
    {
      name: `MaxFALL re-measured (within ${t} PQ 10-bit steps)`,
      expected: e.maxFall,
      actual: fall,
      ok: steps(m.maxFall, e.maxFall) <= t,
    },
  ];
}

/** Re-measures MaxCLL/MaxFALL over the decoded master (active picture, as the render measured it). */
async function remeasure(
  bin: Binaries,
  input: string[],
  pixFmt: string,
  w: number,
  h: number,
): Promise<{ maxCll: number; maxFall: number; frames: number }> {
  const agg = new LightLevelAggregator();
  const codes = new Uint16Array(w * h * 3);
  const view = new Uint8Array(codes.buffer);
  const frames = await streamFrames(
    bin.ffmpeg,
    decodeMasterArgs(input, pixFmt),
    w * h * 6,
    (buf) => {
      view.set(buf); // the pipe's buffer may start at an odd byte
      agg.add(measureFrame({ width: w, height: h, data: codes, layout: 'rgb48' }, { gamut: false }));
    },
    { what: 'master read-back' },
  );
  const p = agg.programme();
  return { maxCll: p.maxCll, maxFall: p.maxFall, frames };
}

function sidecarChecks(e: MasterExpectation): VerifyCheck[] {
  if (!e.sidecars) return [];
  const out: VerifyCheck[] = [];
  const st2086 = x265MasterDisplay(e.mastering);
  try {
    const j = JSON.parse(readFileSync(e.sidecars.json, 'utf8')) as HdrSidecar;
    out.push({
      name: 'sidecar JSON ST 2086',
      expected: st2086,
      actual: j.masteringDisplay?.st2086,
      ok: j.masteringDisplay?.st2086 === st2086,
    });
    const cl = j.contentLightLevel ?? {};
    out.push({
      name: 'sidecar JSON MaxCLL/MaxFALL',
      expected: [e.maxCll, e.maxFall],
      actual: [cl.maxCll, cl.maxFall],
      ok: cl.maxCll === e.maxCll && cl.maxFall === e.maxFall,
    });
    out.push({
      name: 'sidecar JSON frame rate',
      expected: rateString(e.frameRate),
      actual: j.frameRate,
      ok: j.frameRate === rateString(e.frameRate),
    });
  } catch (err) {
    out.push({ name: 'sidecar JSON', expected: 'readable', actual: (err as Error).message, ok: false });
  }
  try {
    const x = readFileSync(e.sidecars.xml, 'utf8');
    const attr = (re: RegExp) => re.exec(x)?.[1];
    const got = [attr(/st2086="([^"]*)"/), Number(attr(/maxCLL="(\d+)"/)), Number(attr(/maxFALL="(\d+)"/))];
    const want = [st2086, e.maxCll, e.maxFall];
    out.push({
      name: 'sidecar XML ST 2086 and MaxCLL/MaxFALL',
      expected: want,
      actual: got,
      ok: got.every((v, i) => v === want[i]),
    });
  } catch (err) {
    out.push({ name: 'sidecar XML', expected: 'readable', actual: (err as Error).message, ok: false });
  }
  return out;
}

const CODEC_TAG: Record<MasterFormat, string> = {
  'hdr10-hevc': 'hvc1',
  prores4444xq: 'ap4x',
  prores422hq: 'apch',
  tiff16: '',
};

async function videoChecks(
  bin: Binaries,
  file: string,
  e: MasterExpectation,
  add: (name: string, expected: unknown, actual: unknown, ok?: boolean) => void,
): Promise<void> {
  const p = await ffprobeJson<Probe>(bin, probeArgs(file));
  const v = p?.streams?.find((s) => s.codec_type === 'video');
  if (!p || !v) return add('readable by ffprobe', true, false);
  const hevc = e.format === 'hdr10-hevc';
  add('codec', hevc ? 'hevc' : 'prores', v.codec_name);
  if (hevc) add('profile', 'Main 10', v.profile);
  add('codec tag', CODEC_TAG[e.format], v.codec_tag_string);
  // ProRes 4444 is coded for up to 12 bits and ffmpeg decodes it as 12-bit whatever went in (prores_ks writes 10).
  const pixFmts = e.format === 'prores4444xq' ? ['yuv444p10le', 'yuv444p12le'] : [masterPixFmt(e.format)];
  add('pixel format', pixFmts.join(' or '), v.pix_fmt, pixFmts.includes(String(v.pix_fmt)));
  add('size', `${e.width}x${e.height}`, `${String(v.width)}x${String(v.height)}`);
  add('colour primaries', 'bt2020', v.color_primaries);
  add('transfer', 'smpte2084', v.color_transfer);
  add('matrix', 'bt2020nc', v.color_space);
  // ProRes is video (narrow) range by definition: neither its frame header nor QuickTime's nclc can say so.
  const range = v.color_range ?? 'unknown';
  add('range', hevc ? 'tv' : 'tv (implied)', range, range === 'tv' || (!hevc && range === 'unknown'));
  add('frame rate', rateString(e.frameRate), v.r_frame_rate);
  add('average frame rate', rateString(e.frameRate), v.avg_frame_rate);
  const seconds = (e.frames * e.frameRate.den) / e.frameRate.num;
  const dur = Number(v.duration);
  add('duration (s)', +seconds.toFixed(6), dur, Math.abs(dur - seconds) <= e.frameRate.den / e.frameRate.num / 2);
  const counted = await ffprobeJson<{ streams?: { nb_read_frames?: string }[] }>(bin, countFramesArgs(file));
  add('frames decoded', e.frames, Number(counted?.streams?.[0]?.nb_read_frames));
  if (e.timecode) {
    const tags = (p.format?.tags ?? {}) as Json;
    const tc = tags.timecode ?? p.streams?.map((s) => (s.tags as Json | undefined)?.timecode).find(Boolean);
    add('start timecode', e.timecode, tc);
  }
  if (e.audio) {
    const a = p.streams?.find((s) => s.codec_type === 'audio');
    const ad = Number(a?.duration);
    // Audio is copied in whole codec frames (AAC: 1024 samples), so its end lands within a few of them.
    add(
      'audio duration (s)',
      e.audio.durationSeconds,
      a ? ad : 'no audio stream',
      !!a && Math.abs(ad - e.audio.durationSeconds) <= 0.1,
    );
  }
  if (!hevc) return;
  const md = x265MasterDisplay(e.mastering);
  const first = await ffprobeJson<Probe>(bin, firstFrameArgs(file));
  const side = (first?.frames?.[0]?.side_data_list ?? []) as Json[];
  const mdSei = side.find((s) => s.side_data_type === 'Mastering display metadata');
  const seiMd = mdSei ? parseFfmpegMasteringSideData(mdSei) : undefined;
  add('SEI mastering display (first frame)', md, seiMd ? x265MasterDisplay(seiMd) : 'absent');
  const cll = side.find((s) => s.side_data_type === 'Content light level metadata');
  add('SEI MaxCLL/MaxFALL (first frame)', [e.maxCll, e.maxFall], cll ? [cll.max_content, cll.max_average] : 'absent');
  const stream = (v.side_data_list ?? []) as Json[];
  const mdBox = stream.find((s) => s.side_data_type === 'Mastering display metadata');
  const boxMd = mdBox ? parseFfmpegMasteringSideData(mdBox) : undefined;
  add('container mastering display (ffprobe)', md, boxMd ? x265MasterDisplay(boxMd) : 'absent');
  const cllBox = stream.find((s) => s.side_data_type === 'Content light level metadata');
  add(
    'container MaxCLL/MaxFALL (ffprobe)',
    [e.maxCll, e.maxFall],
    cllBox ? [cllBox.max_content, cllBox.max_average] : 'absent',
  );
  const boxes = (await readHdr10Boxes(file))[0];
  const colr = boxes?.colr as
    { kind: string; primaries?: number; transfer?: number; matrix?: number; fullRange?: boolean } | undefined;
  add(
    'colr box (primaries/transfer/matrix/full range)',
    [9, 16, 9, false],
    colr ? [colr.primaries, colr.transfer, colr.matrix, colr.fullRange ?? false] : 'absent',
  );
  const c = masteringDisplayCodes(e.mastering);
  const wantMdcv = [...c.green, ...c.blue, ...c.red, ...c.white, c.maxLuminance, c.minLuminance];
  const m = boxes?.mdcv;
  add(
    'mdcv box',
    wantMdcv,
    m ? [...m.green, ...m.blue, ...m.red, ...m.white, m.maxLuminance, m.minLuminance] : 'absent',
  );
  add('clli box', [e.maxCll, e.maxFall], boxes?.clli ? [boxes.clli.maxCll, boxes.clli.maxFall] : 'absent');
}

async function tiffChecks(
  bin: Binaries,
  folder: string,
  e: MasterExpectation,
  add: (name: string, expected: unknown, actual: unknown, ok?: boolean) => void,
): Promise<void> {
  const seq = tiffFrames(folder, e.tiffName);
  const files = readdirSync(folder).filter((f) => f.endsWith('.tif'));
  add('TIFF files', e.frames, files.length);
  const first = seq.file(0);
  const p = await ffprobeJson<Probe>(bin, ['-v', 'error', '-show_streams', '-of', 'json', first]);
  const v = p?.streams?.[0];
  add('codec', 'tiff', v?.codec_name);
  add('pixel format', 'rgb48le', v?.pix_fmt);
  add('size', `${e.width}x${e.height}`, `${String(v?.width)}x${String(v?.height)}`);
  const icc = Buffer.from(bt2100PqIccProfile());
  add(
    'ICC profile (BT.2100 PQ, cicp 9/16/0/1) in the first and last TIFF',
    true,
    readFileSync(first).includes(icc) && readFileSync(seq.file(e.frames - 1)).includes(icc),
  );
}

/** Reads a finished master back and checks it against what the export meant to write. */
export async function verifyMaster(
  file: string,
  expected: MasterExpectation,
  bin: Binaries = resolveBinaries(),
): Promise<VerifyReport> {
  const checks: VerifyCheck[] = [];
  const add = (name: string, exp: unknown, actual: unknown, ok?: boolean): void => {
    checks.push({ name, expected: exp, actual, ok: ok ?? JSON.stringify(exp) === JSON.stringify(actual) });
  };
  const tiff = expected.format === 'tiff16';
  if (tiff) await tiffChecks(bin, file, expected, add);
  else await videoChecks(bin, file, expected, add);
  const input = tiff
    ? tiffSequenceInput(tiffFrames(file, expected.tiffName).pattern, expected.frameRate)
    : inputArgs(file);
  let measured = { maxCll: NaN, maxFall: NaN };
  try {
    const m = await remeasure(bin, input, masterPixFmt(expected.format), expected.width, expected.height);
    measured = { maxCll: m.maxCll, maxFall: m.maxFall };
    if (tiff) add('frames decoded', expected.frames, m.frames);
    checks.push(...lightChecks(expected.format, expected, measured));
  } catch (err) {
    add('decodable for re-measuring', true, (err as Error).message, false);
  }
  checks.push(...sidecarChecks(expected));
  return { file, ok: checks.every((c) => c.ok), checks, measured };
}
