// Reading a master back after export: what ffprobe sees in the streams, the container and the first frame's
// SEI, the MP4/MOV colour boxes, the frame count and duration, the sidecars, and its light re-measured from the
// decoded pictures. Every check is listed with what was expected and what was found; one failure fails it.
import { readdirSync, readFileSync } from 'node:fs';
import {
  cta861Value,
  masteringDisplayCodes,
  nitsToPq,
  parseFfmpegMasteringSideData,
  SUBSAMPLED_PEAK_TOLERANCE_PQ_STEPS,
  x265MasterDisplay,
  type MasteringDisplay,
} from '../../common/colour';
import { bt2100PqIccProfile } from '../../common/colour/icc';
import { ServiceError } from '../../common/contract';
import { readContentLightSei, readHdr10Boxes } from '../master/mp4-boxes';
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
import { LightMeter, type MeasuredLight } from './light-meter';
import type { HdrSidecar } from './sidecar';

export interface MasterExpectation {
  format: MasterFormat;
  width: number;
  height: number;
  frames: number;
  frameRate: FrameRate;
  mastering: MasteringDisplay;
  /** CTA-861.3 values written (whole nits): the rendered frames' light. */
  maxCll: number;
  maxFall: number;
  /**
   * Measures a lossy master's encoder input (one more pass over the programme), asked for only when the decoded
   * light is far from the written values (see lightChecks).
   */
  encoderInput?: () => Promise<EncoderInputLight>;
  audio?: { durationSeconds: number };
  timecode?: string;
  sidecars?: { json: string; xml: string };
  /** TIFF frames' file stem when the folder is not (yet) named after it. */
  tiffName?: string;
}

/** The programme's frames as the encoder is given them, and the same at the master's sampling and back. */
export interface EncoderInputLight {
  given: MeasuredLight;
  sampled: MeasuredLight;
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
 * How far a lossy master's decoded light may sit from what was written, in PQ 10-bit code steps (the signal's
 * own resolution; one step is about 1% of the light anywhere on the curve). The written values are the rendered
 * frames' (4:4:4), the content's light. Quantising to 10 bits moves a pixel by up to half a step, and the codec
 * adds its own error at sharp edges: 4 steps covers every frame average and a 4:4:4 master's peak. A single
 * pixel's max(R,G,B) in 4:2:0 / 4:2:2 moves more: a bright pixel that shares its chroma sample with a saturated
 * neighbour decodes brighter, so a subsampled master's peak gets half a stop (32 steps, as `analyze` allows; the graded demo shot:
 * 203 nits written, 270 decoded, 26 steps).
 *
 * Hard saturated edges can go far past that (3-pixel saturated stripes rendered at 203 nits decode to 994
 * through zscale's chroma filter, 630 through swscale's): then the read-back measures the encoder's input
 * instead, and checks that its frames' light is exactly what was written, and that the decoded master is that
 * input at the master's sampling but for the codec's error (the stripes: 910 before the codec, 994 after).
 * The written values stay the content's: declaring a decoded peak would make a display tone-map the whole
 * programme for an artefact whose size depends on the decoder.
 */
export const FALL_TOLERANCE_PQ_CODES = 4;

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

const pqSteps = (a: number, b: number): number => Math.abs(nitsToPq(a) - nitsToPq(b)) * 876;

const SAMPLING: Record<MasterFormat, string> = {
  'hdr10-hevc': '10-bit 4:2:0',
  prores422hq: '10-bit 4:2:2',
  prores4444xq: '10-bit 4:4:4',
  tiff16: '16-bit 4:4:4',
};

/** Each of MaxCLL and MaxFALL decoded against a reference, within its tolerance. */
function lightAgainst(
  format: MasterFormat,
  decoded: MeasuredLight,
  reference: { maxCll: number; maxFall: number },
  what: string,
): VerifyCheck[] {
  const peak = format === 'prores4444xq' ? FALL_TOLERANCE_PQ_CODES : SUBSAMPLED_PEAK_TOLERANCE_PQ_STEPS;
  return [
    { name: 'MaxCLL', tolerance: peak, got: decoded.maxCll, want: reference.maxCll },
    { name: 'MaxFALL', tolerance: FALL_TOLERANCE_PQ_CODES, got: decoded.maxFall, want: reference.maxFall },
  ].map((c) => ({
    name: `${c.name} re-measured, against ${what} (within ${c.tolerance} PQ steps)`,
    expected: Math.round(c.want),
    actual: Math.round(c.got),
    // CTA-861.3 counts whole nits from 1: below a nit (a fade, a dark leader) every level reads as 1.
    ok: pqSteps(Math.max(1, c.got), Math.max(1, c.want)) <= c.tolerance,
  }));
}

async function lightChecks(e: MasterExpectation, decoded: MeasuredLight): Promise<VerifyCheck[]> {
  if (e.format === 'tiff16') {
    return [
      { name: 'MaxCLL re-measured (exact, lossless)', expected: e.maxCll, actual: cta861Value(decoded.maxCll) },
      { name: 'MaxFALL re-measured (exact, lossless)', expected: e.maxFall, actual: cta861Value(decoded.maxFall) },
    ].map((c) => ({ ...c, ok: c.expected === c.actual }));
  }
  const direct = lightAgainst(e.format, decoded, e, 'the written value');
  if (direct.every((c) => c.ok) || !e.encoderInput) return direct;
  const { given, sampled } = await e.encoderInput();
  return [
    {
      name: 'MaxCLL/MaxFALL of the programme as the encoder was given it (the written values, exact)',
      expected: [e.maxCll, e.maxFall],
      actual: [cta861Value(given.maxCll), cta861Value(given.maxFall)],
      ok: cta861Value(given.maxCll) === e.maxCll && cta861Value(given.maxFall) === e.maxFall,
    },
    ...lightAgainst(
      e.format,
      decoded,
      sampled,
      `the programme at ${SAMPLING[e.format]}, where saturated edges decode brighter`,
    ),
  ];
}

/** MaxCLL/MaxFALL of a master's decoded pictures (active picture, measured as the render measures). */
async function measureMaster(bin: Binaries, input: string[], e: MasterExpectation): Promise<MeasuredLight> {
  const meter = new LightMeter(e.width, e.height);
  await streamFrames(
    bin.ffmpeg,
    decodeMasterArgs(input, masterPixFmt(e.format)),
    meter.frameBytes,
    (buf) => meter.add(buf),
    { what: 'master read-back' },
  );
  return meter.result();
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
  // 0/0 (a black programme) is CTA-861.3's "unknown": x265 then writes no content light SEI at all.
  const unknown = e.maxCll === 0 && e.maxFall === 0;
  add(
    'SEI MaxCLL/MaxFALL (first frame)',
    unknown ? 'absent (0/0: unknown)' : [e.maxCll, e.maxFall],
    cll ? [cll.max_content, cll.max_average] : unknown ? 'absent (0/0: unknown)' : 'absent',
  );
  // ffprobe shows the first; x265 repeats them in its headers and on every key frame, and each must agree.
  const all = await readContentLightSei(file).catch((err: Error) => err.message);
  if (typeof all === 'string') add('SEI MaxCLL/MaxFALL (headers and every key frame)', 'readable', all, false);
  else {
    const differ = all.filter((c) => c.maxCll !== e.maxCll || c.maxFall !== e.maxFall);
    add(
      `SEI MaxCLL/MaxFALL (headers and every key frame: ${all.length})`,
      [e.maxCll, e.maxFall],
      differ.length ? `${differ.length} differ, e.g. ${differ[0].maxCll}/${differ[0].maxFall}` : [e.maxCll, e.maxFall],
      (all.length > 0 || unknown) && differ.length === 0,
    );
  }
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
    const m = await measureMaster(bin, input, expected);
    measured = { maxCll: m.maxCll, maxFall: m.maxFall };
    if (tiff) add('frames decoded', expected.frames, m.frames);
    checks.push(...(await lightChecks(expected, m)));
  } catch (err) {
    if (err instanceof ServiceError && err.code === 'cancelled') throw err; // a cancel is not a failed check
    add('decodable for re-measuring', true, (err as Error).message, false);
  }
  checks.push(...sidecarChecks(expected));
  return { file, ok: checks.every((c) => c.ok), checks, measured };
}
