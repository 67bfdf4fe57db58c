// Export of a synthetic render cache to every master format with the bundled ffmpeg, read back independently
// with ffprobe and the MP4 box reader: colour tags, first-frame SEI, container boxes, frame count, exact frame
// rate, sidecars, re-measured light; and the refusals (existing file, missing / read-only folder, full disk).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ffmpegContentLightSideData,
  ffmpegMasteringSideData,
  fillRect,
  masteringDisplayCodes,
  solidFrame,
  x265MasterDisplay,
} from '../../src-main/common/colour';
import { bt2100PqIccProfile } from '../../src-main/common/colour/icc';
import { ServiceError } from '../../src-main/common/contract';
import { analyzeHdrFile } from '../../src-main/core/analyze';
import {
  estimateMasterBytes,
  exportMaster,
  MASTERING_DISPLAYS,
  type ExportPlan,
  type ExportResult,
  type MasterFormat,
  type MasteringPresetName,
} from '../../src-main/core/export';
import { decodeMasterArgs, keyframeInterval } from '../../src-main/core/export/ffmpeg-args';
import { readContentLightSei, readHdr10Boxes } from '../../src-main/core/master/mp4-boxes';
import {
  barsSegment,
  decodedLight,
  H,
  HIGHLIGHT_NITS,
  highlightSegment,
  noiseSegment,
  W,
  writeSegment,
  type CacheSegment,
} from '../helpers/export-cache';
import { bins, quietLog, tempDir } from '../helpers/media-fixtures';

const RATE = { num: 24000, den: 1001 };
const FRAMES = 24;
const AUDIO = { startSeconds: 1, durationSeconds: (FRAMES * 1001) / 24000 };
let tmp: { dir: string; cleanup(): void };
let A: CacheSegment, B: CacheSegment, audio: string;

before(() => {
  tmp = tempDir('remaster-export-');
  const cache = join(tmp.dir, 'cache');
  mkdirSync(cache);
  A = barsSegment(cache);
  B = highlightSegment(cache);
  audio = join(tmp.dir, 'audio.m4a');
  execFileSync(bins.ffmpeg, [
    '-v',
    'error',
    '-nostdin',
    '-y',
    '-f',
    'lavfi',
    '-i',
    'sine=frequency=440:sample_rate=48000:d=5',
    '-c:a',
    'aac',
    audio,
  ]);
});
after(() => tmp.cleanup());

/** The programme: A's frames 2..13 then B's frames 4..15 (24 frames across a cut). */
function plan(
  format: MasterFormat,
  out: string,
  o: Partial<ExportPlan> & { mastering?: MasteringPresetName } = {},
): ExportPlan {
  return {
    format,
    out,
    mastering: 'p3-1000',
    frameRate: RATE,
    inputs: [
      { file: A.file, firstFrame: 2, frames: 12 },
      { file: B.file, firstFrame: 4, frames: 12 },
    ],
    light: [...A.light.slice(2, 14), ...B.light.slice(4, 16)],
    ...o,
  };
}

function probe(file: string): { streams: Record<string, unknown>[]; format: Record<string, unknown> } {
  return JSON.parse(
    execFileSync(bins.ffprobe, ['-v', 'error', '-show_streams', '-show_format', '-of', 'json', file]).toString(),
  );
}
function countFrames(file: string): number {
  const j = JSON.parse(
    execFileSync(bins.ffprobe, [
      '-v',
      'error',
      '-count_frames',
      '-select_streams',
      'v:0',
      '-show_entries',
      'stream=nb_read_frames',
      '-of',
      'json',
      file,
    ]).toString(),
  );
  return Number(j.streams[0].nb_read_frames);
}

function assertReport(t: { diagnostic(m: string): void }, r: ExportResult): void {
  const failed = r.report.checks.filter((c) => !c.ok);
  assert.deepEqual(failed, [], 'every read-back check passes');
  assert.ok(r.ok && r.report.ok);
  assert.ok(r.report.checks.length >= 8);
  t.diagnostic(
    `${r.out}: encode ${r.seconds.encode.toFixed(2)} s, verify ${r.seconds.verify.toFixed(2)} s; written MaxCLL/MaxFALL ${r.maxCll}/${r.maxFall}, re-measured ${r.report.measured.maxCll.toFixed(1)}/${r.report.measured.maxFall.toFixed(2)}`,
  );
}

/** ProRes carries no range flag (it is video range by definition): ffprobe leaves it out. */
function assertColourTags(v: Record<string, unknown>, pixFmt: string, range: string | null = 'tv'): void {
  assert.equal(v.pix_fmt, pixFmt);
  assert.equal(v.color_primaries, 'bt2020');
  assert.equal(v.color_transfer, 'smpte2084');
  assert.equal(v.color_space, 'bt2020nc');
  assert.equal(v.color_range ?? null, range);
  assert.equal(v.r_frame_rate, '24000/1001');
  assert.equal(v.avg_frame_rate, '24000/1001');
  assert.equal(`${v.width}x${v.height}`, `${W}x${H}`);
}

function assertSidecars(r: ExportResult, preset: MasteringPresetName): void {
  assert.ok(r.sidecars);
  const j = JSON.parse(readFileSync(r.sidecars.json, 'utf8'));
  const md = MASTERING_DISPLAYS[preset];
  assert.equal(j.masteringDisplay.st2086, x265MasterDisplay(md));
  assert.equal(j.masteringDisplay.maxLuminance, md.maxNits);
  assert.deepEqual(j.masteringDisplay.green, [md.green.x, md.green.y]);
  assert.deepEqual(j.contentLightLevel, { maxCll: r.maxCll, maxFall: r.maxFall });
  assert.equal(j.frameRate, '24000/1001');
  assert.equal(j.frames, FRAMES);
  const x = readFileSync(r.sidecars.xml, 'utf8');
  const c = masteringDisplayCodes(md);
  assert.match(x, new RegExp(`<ContentLightLevel maxCLL="${r.maxCll}" maxFALL="${r.maxFall}"/>`));
  assert.match(
    x,
    new RegExp(`<Green x="${md.green.x}" y="${md.green.y}" codeX="${c.green[0]}" codeY="${c.green[1]}"/>`),
  );
  assert.match(x, new RegExp(`codeMax="${c.maxLuminance}" codeMin="${c.minLuminance}"`));
}

const expectedLight = () => {
  const light = plan('tiff16', '').light;
  return {
    maxCll: Math.round(Math.max(...light.map((l) => l.maxCll))),
    maxFall: Math.round(Math.max(...light.map((l) => l.frameAverage))),
  };
};

test('HDR10 HEVC .mp4: tags, SEI, boxes, 24000/1001, audio and timecode through, verified', async (t) => {
  const out = join(tmp.dir, 'programme.mp4');
  const progress: number[] = [];
  const r = await exportMaster(
    plan('hdr10-hevc', out, { audio: { file: audio, ...AUDIO }, startTimecode: '01:00:00:00' }),
    { log: quietLog, onProgress: (p) => p.phase === 'encode' && progress.push(p.done) },
  );
  assertReport(t, r);
  assert.equal(progress.at(-1), FRAMES);
  const want = expectedLight();
  assert.deepEqual([r.maxCll, r.maxFall], [want.maxCll, want.maxFall]);
  assert.equal(r.maxCll, 10000, 'the 100% bars are 10000 nits');
  const p = probe(out);
  const v = p.streams.find((s) => s.codec_type === 'video')!;
  assertColourTags(v, 'yuv420p10le');
  assert.equal(v.codec_name, 'hevc');
  assert.equal(v.profile, 'Main 10');
  assert.equal(v.codec_tag_string, 'hvc1');
  assert.equal(countFrames(out), FRAMES);
  assert.equal(Number(v.duration), 1.001);
  const first = JSON.parse(
    execFileSync(bins.ffprobe, [
      '-v',
      'error',
      '-select_streams',
      'v:0',
      '-show_frames',
      '-read_intervals',
      '%+#1',
      '-of',
      'json',
      out,
    ]).toString(),
  );
  const side = first.frames[0].side_data_list as Record<string, unknown>[];
  const md = MASTERING_DISPLAYS['p3-1000'];
  assert.deepEqual(
    side.find((s) => s.side_data_type === 'Mastering display metadata'),
    ffmpegMasteringSideData(md),
  );
  assert.deepEqual(
    side.find((s) => s.side_data_type === 'Content light level metadata'),
    ffmpegContentLightSideData(r.maxCll, r.maxFall),
  );
  const [box] = await readHdr10Boxes(out);
  assert.deepEqual(box.colr, { kind: 'nclx', primaries: 9, transfer: 16, matrix: 9, fullRange: false });
  const c = masteringDisplayCodes(md);
  assert.deepEqual(box.mdcv, {
    green: [...c.green],
    blue: [...c.blue],
    red: [...c.red],
    white: [...c.white],
    maxLuminance: 10000000,
    minLuminance: 50,
  });
  assert.deepEqual(box.clli, { maxCll: r.maxCll, maxFall: r.maxFall });
  const a = p.streams.find((s) => s.codec_type === 'audio')!;
  assert.equal(a.codec_name, 'aac');
  assert.ok(Math.abs(Number(a.duration) - AUDIO.durationSeconds) < 0.05);
  assert.equal(
    (p.format.tags as Record<string, string>).timecode ?? (v.tags as Record<string, string>).timecode,
    '01:00:00:00',
  );
  assert.equal(keyframeInterval(RATE), 47, 'key frames at most 2 s apart');
  assert.deepEqual(
    readdirSync(tmp.dir).filter((f) => f.startsWith('.')),
    [],
    'no temporary files left',
  );
});

test('HDR10 HEVC .mov of the highlight shot alone: MaxCLL from the measured frames, re-measured within tolerance', async (t) => {
  const out = join(tmp.dir, 'highlight.mov');
  const r = await exportMaster(
    {
      ...plan('hdr10-hevc', out, { mastering: 'bt2020-1000' }),
      inputs: [{ file: B.file, firstFrame: 0, frames: 16 }],
      light: B.light,
    },
    { log: quietLog },
  );
  assertReport(t, r);
  assert.equal(r.maxCll, HIGHLIGHT_NITS);
  assert.equal(r.maxFall, Math.round(Math.max(...B.light.map((l) => l.frameAverage))));
  assert.ok(Math.abs(r.report.measured.maxCll - HIGHLIGHT_NITS) / HIGHLIGHT_NITS < 0.03);
  const [box] = await readHdr10Boxes(out);
  assert.equal(box.colr?.kind, 'nclc', 'QuickTime colour box');
  assert.equal(box.mdcv?.green[1], 39850, 'BT.2020 display green y');
  assert.equal(countFrames(out), 16);
});

test('HDR10 HEVC of saturated 3-pixel stripes: the content light in every SEI, checked against its 4:2:0 pictures', async (t) => {
  // 203-nit primaries and secondaries side by side, their edges splitting chroma pairs: the 4:4:4 frames peak at
  // 203 nits, the decoded master near 1000 (4:2:0 gives a pixel its neighbour's colour, and zscale's chroma
  // filter overshoots). Measured against the written 203, such a master failed its read-back before 2026-12-07.
  const colours = [
    [203, 203, 203],
    [203, 0, 0],
    [0, 203, 0],
    [0, 0, 203],
    [203, 203, 0],
    [0, 203, 203],
    [203, 0, 203],
    [50, 50, 50],
  ];
  const frames = Array.from({ length: 30 }, (_, i) => {
    const f = solidFrame(W, H, 5, 5, 5);
    for (let x = 0; x < W; x += 3) {
      const [r, g, b] = colours[(x / 3 + i) % colours.length];
      fillRect(f, x + 1, 0, 3, H, r, g, b);
    }
    return f;
  });
  const seg = writeSegment(join(tmp.dir, 'cache', 'segment-stripes.mkv'), frames);
  const out = join(tmp.dir, 'stripes.mp4');
  const r = await exportMaster(
    {
      ...plan('hdr10-hevc', out),
      frameRate: { num: 12, den: 1 }, // key frames at most 24 frames apart: two of them, each with the SEI
      inputs: [{ file: seg.file, firstFrame: 0, frames: 30 }],
      light: seg.light,
    },
    { log: quietLog },
  );
  assertReport(t, r);
  assert.equal(r.maxCll, 203, 'the content: the rendered frames');
  const decoded = decodedLight(out, W, H);
  assert.ok(decoded.maxCll > 600, `decoded ${decoded.maxCll}`);
  const check = (name: RegExp) => r.report.checks.find((c) => name.test(c.name))!;
  // Far past the written 203, so the read-back measured the programme as the encoder was given it.
  const given = check(/of the programme as the encoder was given it/);
  assert.deepEqual(given.actual, [203, r.maxFall]);
  const peak = check(/^MaxCLL re-measured, against the programme at 10-bit 4:2:0/);
  assert.equal(peak.actual, Math.round(decoded.maxCll), 'the read-back decodes as the test does');
  assert.ok(Number(peak.expected) > 600, `before the codec ${String(peak.expected)}`);
  assert.equal(r.report.checks.filter((c) => /against the written value/.test(c.name)).length, 0);
  const sei = await readContentLightSei(out);
  assert.equal(sei.length, 3, 'in the hvcC headers and on both key frames');
  assert.deepEqual(new Set(sei.map((c) => `${c.maxCll}/${c.maxFall}`)), new Set([`203/${r.maxFall}`]));
  // `remaster analyze` measures the decoded pictures (swscale's chroma filter) and says why it may disagree.
  const a = await analyzeHdrFile(out);
  const cll = a.verdict.findings.find((f) => f.field === 'maxCll')!;
  assert.equal(cll.severity, 'error');
  assert.match(
    cll.message,
    /declared 203 nits but the picture reaches \d+: understated.*in a 4:2:0 file this can be saturated edges/,
  );
});

test("light records that are not its frames' fail the read-back, and no master is left", async () => {
  // The highlight shot's frames declared with the bars' light (10000 nits): far from what it decodes to, and
  // not what the programme's frames measure either.
  const out = join(tmp.dir, 'wrong-light.mp4');
  const r = await exportMaster(
    { ...plan('hdr10-hevc', out), inputs: [{ file: B.file, firstFrame: 0, frames: 16 }], light: A.light },
    { log: quietLog },
  );
  assert.equal(r.ok, false);
  const failed = r.report.checks.filter((c) => !c.ok).map((c) => c.name);
  assert.ok(
    failed.some((n) => /of the programme as the encoder was given it/.test(n)),
    failed.join('; '),
  );
  assert.equal(existsSync(out), false);
  assert.deepEqual(
    readdirSync(tmp.dir).filter((f) => f.startsWith('.')),
    [],
  );
});

test('a delivery raster: the rendered frames resized in PQ to fit it, their light measured on the resized pictures', async (t) => {
  // HEVC at twice the rendered size: the highlight shot's 1500-nit square, resized with Mitchell's cubic, is
  // measured again (its edges overshoot: 1.9 % of the step in PQ is ~20 % more light at 1500 nits), and the
  // master's SEI carries that, not the render's 1500.
  const out = join(tmp.dir, 'raster.mp4');
  const r = await exportMaster(
    {
      ...plan('hdr10-hevc', out),
      inputs: [{ file: B.file, firstFrame: 0, frames: 16 }],
      light: B.light,
      raster: { width: 2 * W, height: 2 * H },
    },
    { log: quietLog },
  );
  assertReport(t, r);
  assert.deepEqual([r.width, r.height], [2 * W, 2 * H]);
  const v = probe(out).streams.find((s) => s.codec_type === 'video')!;
  assert.equal(`${v.width}x${v.height}`, `${2 * W}x${2 * H}`);
  const decoded = decodedLight(out, 2 * W, 2 * H);
  assert.ok(Math.abs(r.report.measured.maxCll - decoded.maxCll) < 0.5, 'the read-back decodes as the test does');
  assert.ok(r.maxCll > HIGHLIGHT_NITS && r.maxCll < HIGHLIGHT_NITS * 1.25, `Mitchell's overshoot: ${r.maxCll}`);

  // TIFF, resized twice as large into a wider raster: pillarboxed, black (code 0) left and right of the
  // picture, which the light ignores; the light written is the resized pictures' (the square rings as above).
  const folder = join(tmp.dir, 'raster-tiff');
  const RW = 2 * W + 192,
    RH = 2 * H;
  const tif = await exportMaster(
    {
      ...plan('tiff16', folder),
      inputs: [{ file: B.file, firstFrame: 0, frames: 4 }],
      light: B.light.slice(0, 4),
      raster: { width: RW, height: RH },
    },
    { log: quietLog },
  );
  assertReport(t, tif);
  const first = execFileSync(
    bins.ffmpeg,
    ['-v', 'error', '-i', join(folder, 'raster-tiff_0000000.tif'), '-f', 'rawvideo', '-pix_fmt', 'rgb48le', '-'],
    { maxBuffer: 1 << 26 },
  );
  const px = (x: number, y: number) => first.readUInt16LE(((y * RW + x) * 3 + 1) * 2);
  assert.equal(px(0, RH / 2) + px(95, RH / 2) + px(RW - 1, RH / 2), 0, 'black bars');
  // The 20-nit grey keeps its exact codes through the resize: swscale's planar 16-bit path lifted R' and B' by
  // ~400 of 65535 (6 10-bit codes, a magenta cast) and lowered G' by 4.
  const grey = [0, 1, 2].map((c) => first.readUInt16LE(((RH / 2) * RW + 96 + 8) * 6 + 2 * c));
  assert.deepEqual(grey, Array.from(solidFrame(1, 1, 20, 20, 20).data), 'the grey picture between the bars');
  assert.ok(tif.maxCll > HIGHLIGHT_NITS, `measured on the resized pictures: ${tif.maxCll}`);
  const fall = Math.max(...B.light.slice(0, 4).map((l) => l.frameAverage));
  assert.ok(Math.abs(tif.maxFall - fall) / fall < 0.1, `active picture only: ${tif.maxFall} against ${fall}`);
});

test('a near-black programme (0.3 nits) and a black one (0 nits) verify: CTA-861.3 counts from 1, and 0/0 is unknown', async (t) => {
  for (const [name, nits, want] of [
    ['dim', 0.3, 1],
    ['black', 0, 0],
  ] as const) {
    const seg = writeSegment(
      join(tmp.dir, 'cache', `segment-${name}.mkv`),
      Array.from({ length: 6 }, () => solidFrame(W, H, nits, nits, nits)),
    );
    const out = join(tmp.dir, `${name}.mp4`);
    const r = await exportMaster(
      { ...plan('hdr10-hevc', out), inputs: [{ file: seg.file, firstFrame: 0, frames: 6 }], light: seg.light },
      { log: quietLog },
    );
    assertReport(t, r);
    assert.deepEqual([r.maxCll, r.maxFall], [want, want]);
  }
});

test('ProRes 4444 XQ: 10-bit 4:4:4, PQ tags, timecode and audio, sidecars with ST 2086 and MaxCLL/MaxFALL', async (t) => {
  const out = join(tmp.dir, 'xq.mov');
  const r = await exportMaster(
    plan('prores4444xq', out, { mastering: 'p3-4000', audio: { file: audio, ...AUDIO }, startTimecode: '00:59:58:00' }),
    { log: quietLog },
  );
  assertReport(t, r);
  const p = probe(out);
  const v = p.streams.find((s) => s.codec_type === 'video')!;
  assert.equal(v.codec_name, 'prores');
  assert.equal(v.codec_tag_string, 'ap4x');
  // prores_ks codes 10 bits; ffmpeg's decoder hands any 4444 stream out as 12-bit.
  assertColourTags(v, 'yuv444p12le', null);
  assert.equal(countFrames(out), FRAMES);
  assert.ok(p.streams.some((s) => s.codec_type === 'audio'));
  assertSidecars(r, 'p3-4000');
  assert.equal(
    JSON.parse(readFileSync(r.sidecars!.json, 'utf8')).masteringDisplay.st2086,
    'G(13250,34500)B(7500,3000)R(34000,16000)WP(15635,16450)L(40000000,50)',
  );

  // The encoder reads the cache files itself (concat, cut after each input's last frame, the frames before its
  // first dropped): each master frame must be the planned one, A's frames 2..13 then B's 4..15. Every source
  // frame differs from its neighbours by a moving square, so the nearest source frame names it.
  const raw = execFileSync(bins.ffmpeg, decodeMasterArgs(['-i', out], 'yuv444p10le'), { maxBuffer: 1 << 28 });
  const px = W * H * 3;
  assert.equal(raw.length, FRAMES * px * 2);
  const decoded = new Uint16Array(raw.buffer, raw.byteOffset, raw.length / 2);
  const sources = [
    ...A.pictures.map((f, i) => ({ name: `A${i}`, f })),
    ...B.pictures.map((f, i) => ({ name: `B${i}`, f })),
  ];
  const distance = (j: number, f: { data: Uint16Array }): number => {
    let d = 0;
    for (let k = 0; k < px; k += 7) d += Math.abs(decoded[j * px + k] - f.data[k]);
    return d;
  };
  const got = Array.from({ length: FRAMES }, (_, j) => {
    let best = sources[0];
    for (const s of sources) if (distance(j, s.f) < distance(j, best.f)) best = s;
    return best.name;
  });
  const want = [
    ...Array.from({ length: 12 }, (_, i) => `A${i + 2}`),
    ...Array.from({ length: 12 }, (_, i) => `B${i + 4}`),
  ];
  assert.deepEqual(got, want);
});

test('ProRes 422 HQ: yuv422p10le with PQ tags and sidecars', async (t) => {
  const out = join(tmp.dir, 'hq.mov');
  const r = await exportMaster(plan('prores422hq', out), { log: quietLog });
  assertReport(t, r);
  const v = probe(out).streams[0];
  assert.equal(v.codec_tag_string, 'apch');
  assertColourTags(v, 'yuv422p10le', null);
  assert.equal(countFrames(out), FRAMES);
  assertSidecars(r, 'p3-1000');
});

test('16-bit TIFF sequence: rgb48le with the PQ ICC profile, pixel-exact, in programme order, sidecars', async (t) => {
  const out = join(tmp.dir, 'reel1');
  const r = await exportMaster(plan('tiff16', out), { log: quietLog });
  assertReport(t, r);
  const files = readdirSync(out).sort();
  assert.equal(files.length, FRAMES);
  assert.equal(files[0], 'reel1_0000000.tif');
  const v = probe(join(out, files[0])).streams[0];
  assert.equal(v.codec_name, 'tiff');
  assert.equal(v.pix_fmt, 'rgb48le');
  const icc = Buffer.from(bt2100PqIccProfile());
  assert.ok(readFileSync(join(out, files[0])).includes(icc));
  // First TIFF = A's frame 2, last = B's frame 15, code for code.
  const decode = (f: string) =>
    execFileSync(bins.ffmpeg, ['-v', 'error', '-i', join(out, f), '-f', 'rawvideo', '-pix_fmt', 'rgb48le', '-'], {
      maxBuffer: 1 << 26,
    });
  assert.ok(decode(files[0]).equals(Buffer.from(A.pictures[2].data.buffer)));
  assert.ok(decode(files[FRAMES - 1]).equals(Buffer.from(B.pictures[15].data.buffer)));
  const want = expectedLight();
  assert.deepEqual(
    [Math.round(r.report.measured.maxCll), Math.round(r.report.measured.maxFall)],
    [want.maxCll, want.maxFall],
  );
  assertSidecars(r, 'p3-1000');
});

test('an input holding fewer frames than planned fails with the reason and leaves nothing behind', async () => {
  const out = join(tmp.dir, 'short.mov');
  // A holds 16 frames: frames 10..21 are asked for.
  const short = { inputs: [{ file: A.file, firstFrame: 10, frames: 12 }], light: A.light.slice(0, 12) };
  await assert.rejects(
    exportMaster(plan('prores422hq', out, short), { log: quietLog }),
    (e: ServiceError) => e.code === 'bad_input' && /gave 6 frames where the export asks for 12/.test(e.message),
  );
  assert.equal(existsSync(out), false);
  assert.deepEqual(
    readdirSync(tmp.dir).filter((f) => f.startsWith('.')),
    [],
  );
});

test('an existing master is refused without force and left untouched; with force it is replaced', async () => {
  const out = join(tmp.dir, 'existing.mov');
  writeFileSync(out, "the colorist's previous master");
  const before = statSync(out).mtimeMs;
  await assert.rejects(
    exportMaster(plan('prores422hq', out), { log: quietLog }),
    (e: ServiceError) => e.code === 'conflict' && /already exists.*--force/.test(e.message),
  );
  assert.equal(readFileSync(out, 'utf8'), "the colorist's previous master");
  assert.equal(statSync(out).mtimeMs, before);
  const r = await exportMaster(plan('prores422hq', out, { force: true }), { log: quietLog });
  assert.ok(r.ok);
  assert.equal(countFrames(out), FRAMES);
});

test('a missing folder and a read-only folder are refused before any work, with the real cause', async (t) => {
  // Inputs that do not exist: had any work started, the error would be about them.
  const nothing = { inputs: [{ file: join(tmp.dir, 'no-such-segment.mkv'), firstFrame: 0, frames: 24 }] };
  const t0 = Date.now();
  await assert.rejects(
    exportMaster(plan('hdr10-hevc', join(tmp.dir, 'nowhere', 'm.mp4'), nothing), { log: quietLog }),
    (e: ServiceError) => e.code === 'bad_input' && /no such folder/.test(e.message),
  );
  await assert.rejects(
    exportMaster(plan('tiff16', join(tmp.dir, 'nowhere', 'reel'), nothing), { log: quietLog }),
    /no such folder/,
  );
  assert.ok(Date.now() - t0 < 1000);
  const ro = join(tmp.dir, 'read-only');
  mkdirSync(ro);
  if (spawnSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=1m', 'tmpfs', ro]).status !== 0) {
    t.skip('cannot mount a read-only tmpfs here (needs root); chmod alone does not stop root');
    return;
  }
  try {
    await assert.rejects(
      exportMaster(plan('prores4444xq', join(ro, 'm.mov'), nothing), { log: quietLog }),
      (e: ServiceError) => e.code === 'bad_input' && /read-only file system|permission denied/.test(e.message),
    );
  } finally {
    spawnSync('umount', [ro]);
  }
});

test('a disk that fills up mid-export fails cleanly: an io error and no partial master left', async (t) => {
  const small = join(tmp.dir, 'small-disk');
  mkdirSync(small);
  if (spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', small]).status !== 0) {
    t.skip('cannot mount a 2 MB tmpfs here (needs root)');
    return;
  }
  try {
    const noise = noiseSegment(join(tmp.dir, 'cache'), 40);
    // The estimate passes the free-space check; noise at master quality does not fit in 2 MB.
    assert.ok(estimateMasterBytes('hdr10-hevc', W, H, noise.frames) < 2 << 20);
    const p = {
      ...plan('hdr10-hevc', join(small, 'noise.mp4')),
      inputs: [{ file: noise.file, firstFrame: 0, frames: noise.frames }],
      light: noise.light,
    };
    await assert.rejects(
      exportMaster(p, { log: quietLog }),
      (e: ServiceError) => e.code === 'io' && /No space left/.test(e.message),
    );
    assert.deepEqual(readdirSync(small), []);
    assert.ok(!existsSync(join(small, 'noise.mp4')));
  } finally {
    spawnSync('umount', [small]);
  }
});
