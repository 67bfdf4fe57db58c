// `remaster analyze`: what an HDR file really contains (light levels over the active picture, gamut use)
// beside what its metadata declares, with a verdict. Works on masters made anywhere.
import {
  BlackBars,
  compareHdrMetadata,
  identifyMasteringDisplay,
  LightLevelAggregator,
  measureFrame,
  type DeclaredHdrMetadata,
  type FrameLightLevel,
  type LightLevelSummary,
  type MetadataVerdict,
  type Rect,
} from '../common/colour';
import { ServiceError } from '../common/contract';
import { resolveBinaries } from './media';
import { probeHdrSource, readPqFrames, type HdrSource } from './media/hdr-source';

export interface AnalyzeReport {
  source: Omit<HdrSource, 'declared'>;
  /** activeArea: inside the bars black in every frame; bars: the same in words (letterbox, pillarbox, full frame). */
  measured: LightLevelSummary & { activeArea: Rect; bars: string };
  declared: DeclaredHdrMetadata & {
    from: 'sei' | 'container' | 'sei+container' | 'none';
    masteringPreset: string | null;
  };
  /** Where SEI and container boxes both exist and disagree (a common muxing fault). */
  containerDisagrees: boolean;
  verdict: MetadataVerdict;
  perFrame: { frame: number; maxCll: number; fall: number }[];
}

export async function analyzeHdrFile(
  file: string,
  opts: { onProgress?(done: number, total: number): void; signal?: AbortSignal; assumePq?: boolean } = {},
): Promise<AnalyzeReport> {
  const bin = resolveBinaries();
  const src = await probeHdrSource(bin, file);
  if (src.kind === 'video' && src.tags.transfer !== 'smpte2084' && !opts.assumePq) {
    throw new ServiceError(
      'bad_input',
      `${file}: transfer is ${src.tags.transfer ?? 'untagged'}, not PQ (smpte2084): this is not an HDR10 file (use --assume-pq to measure it as PQ anyway)`,
    );
  }
  if (src.kind === 'image' && !/48|64|16/.test(src.pixFmt)) {
    throw new ServiceError(
      'bad_input',
      `${file}: ${src.pixFmt} has fewer than 16 bits per component; PQ stills must be 16-bit TIFF or PNG`,
    );
  }
  // Bars are known only once every frame is seen (a bar is black in all of them), so each frame is measured
  // whole and divided by the active area at the end. That equals measuring the active area: bar pixels are
  // black in every frame, so they are never outside a gamut and add at most blackNits each to the light sum.
  const bars = new BlackBars(src.width, src.height);
  const whole: Rect = { x: 0, y: 0, width: src.width, height: src.height };
  const wholeFrames: FrameLightLevel[] = [];
  const frames = await readPqFrames(
    bin,
    src,
    (codes, i) => {
      const f = { width: src.width, height: src.height, data: codes, layout: 'rgb48' as const };
      bars.add(f);
      wholeFrames.push(measureFrame(f, { active: whole }));
      opts.onProgress?.(i + 1, src.frames);
    },
    { signal: opts.signal },
  );
  if (frames === 0) throw new ServiceError('bad_input', `${file}: no frames could be decoded`);
  const active = bars.active();
  const share = (whole.width * whole.height) / (active.width * active.height);
  const agg = new LightLevelAggregator();
  const perFrame: AnalyzeReport['perFrame'] = [];
  wholeFrames.forEach((m, i) => {
    const fall = m.fall * share;
    agg.add({ maxCll: m.maxCll, fall, active, outsideBt709: m.outsideBt709 * share, outsideP3: m.outsideP3 * share });
    perFrame.push({ frame: i, maxCll: m.maxCll, fall });
  });
  const programme = agg.programme();
  const { sei, container } = src.declared;
  const has = (d: DeclaredHdrMetadata) => !!(d.maxCll || d.maxFall || d.mastering);
  const declared: DeclaredHdrMetadata = has(sei) ? sei : container;
  const from = has(sei) && has(container) ? 'sei+container' : has(sei) ? 'sei' : has(container) ? 'container' : 'none';
  const containerDisagrees =
    has(sei) &&
    has(container) &&
    (sei.maxCll !== container.maxCll ||
      sei.maxFall !== container.maxFall ||
      JSON.stringify(sei.mastering) !== JSON.stringify(container.mastering));
  const subsampled = /^yuv4(2)([02])/.exec(src.pixFmt);
  const verdict = compareHdrMetadata(
    {
      maxCll: programme.maxCll,
      maxFall: programme.maxFall,
      outsideP3: programme.outsideP3,
      outsideBt709: programme.outsideBt709,
    },
    declared,
    { subsampled: !!subsampled },
  );
  // A 4:2:0 / 4:2:2 file decodes brighter than its 4:4:4 frames at hard saturated edges, by an amount that
  // depends on the chroma filter: a MaxCLL measured (rightly) on those frames can read as understated here.
  const understated = verdict.findings.find((f) => f.field === 'maxCll' && f.severity === 'error');
  if (subsampled && understated) {
    const sampling = `4:${subsampled[1]}:${subsampled[2]}`;
    understated.message += ` (in a ${sampling} file this can be saturated edges, which decode brighter than the 4:4:4 frames MaxCLL is measured on; --per-frame shows where the peak is)`;
  }
  if (src.kind === 'video' && has(sei) && !has(container)) {
    verdict.findings.push({
      field: 'mastering',
      severity: 'warning',
      message:
        'HDR10 metadata is in the HEVC SEI only; the container has no mdcv/clli boxes (some players read only those)',
    });
  }
  if (containerDisagrees) {
    verdict.findings.push({
      field: 'mastering',
      severity: 'warning',
      message: 'the container boxes (mdcv/clli) disagree with the HEVC SEI',
    });
  }
  const { declared: _omit, ...source } = src;
  return {
    source,
    measured: { ...programme, activeArea: active, bars: bars.describe() },
    declared: {
      ...declared,
      from,
      masteringPreset: declared.mastering ? identifyMasteringDisplay(declared.mastering) : null,
    },
    containerDisagrees,
    verdict,
    perFrame,
  };
}
