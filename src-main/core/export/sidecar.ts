// The HDR10 metadata ProRes and TIFF cannot carry themselves (no ST 2086 or CTA-861.3 in either), delivered
// beside the master as JSON and as XML with the same values: ST 2086 in its coded units and in plain numbers,
// MaxCLL/MaxFALL as measured, the colour encoding, exact frame rate and start timecode.
import { masteringDisplayCodes, x265MasterDisplay, type MasteringDisplay } from '../../common/colour';
import { rateString, type FrameRate, type MasterFormat, type MasteringPresetName } from './plan';

export interface HdrSidecar {
  remasterSidecar: 1;
  master: string;
  format: MasterFormat;
  width: number;
  height: number;
  frames: number;
  frameRate: string;
  startTimecode: string | null;
  colour: {
    primaries: 'BT.2020';
    transfer: 'SMPTE ST 2084 (PQ)';
    matrix: 'BT.2020 non-constant' | "R'G'B'";
    range: 'narrow' | 'full';
  };
  masteringDisplay: {
    preset: MasteringPresetName;
    red: [number, number];
    green: [number, number];
    blue: [number, number];
    whitePoint: [number, number];
    maxLuminance: number;
    minLuminance: number;
    /** ST 2086 coded values: chromaticities in 0.00002, luminance in 0.0001 cd/m², as x265 takes them. */
    st2086: string;
  };
  contentLightLevel: { maxCll: number; maxFall: number };
}

export function makeSidecar(o: {
  master: string;
  format: MasterFormat;
  width: number;
  height: number;
  frames: number;
  rate: FrameRate;
  timecode?: string;
  preset: MasteringPresetName;
  mastering: MasteringDisplay;
  maxCll: number;
  maxFall: number;
}): HdrSidecar {
  const md = o.mastering;
  const rgb = o.format === 'tiff16';
  return {
    remasterSidecar: 1,
    master: o.master,
    format: o.format,
    width: o.width,
    height: o.height,
    frames: o.frames,
    frameRate: rateString(o.rate),
    startTimecode: o.timecode ?? null,
    colour: {
      primaries: 'BT.2020',
      transfer: 'SMPTE ST 2084 (PQ)',
      matrix: rgb ? "R'G'B'" : 'BT.2020 non-constant',
      range: rgb ? 'full' : 'narrow',
    },
    masteringDisplay: {
      preset: o.preset,
      red: [md.red.x, md.red.y],
      green: [md.green.x, md.green.y],
      blue: [md.blue.x, md.blue.y],
      whitePoint: [md.white.x, md.white.y],
      maxLuminance: md.maxNits,
      minLuminance: md.minNits,
      st2086: x265MasterDisplay(md),
    },
    contentLightLevel: { maxCll: o.maxCll, maxFall: o.maxFall },
  };
}

export function sidecarJson(s: HdrSidecar): string {
  return JSON.stringify(s, null, 2) + '\n';
}

const esc = (v: string): string =>
  v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function sidecarXml(s: HdrSidecar): string {
  const md = s.masteringDisplay;
  const codes = masteringDisplayCodes({
    red: { x: md.red[0], y: md.red[1] },
    green: { x: md.green[0], y: md.green[1] },
    blue: { x: md.blue[0], y: md.blue[1] },
    white: { x: md.whitePoint[0], y: md.whitePoint[1] },
    maxNits: md.maxLuminance,
    minNits: md.minLuminance,
  });
  const xy = (name: string, v: [number, number], c: readonly [number, number]) =>
    `    <${name} x="${v[0]}" y="${v[1]}" codeX="${c[0]}" codeY="${c[1]}"/>`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<HDR10Metadata version="1" master="${esc(s.master)}" format="${s.format}">`,
    `  <Picture width="${s.width}" height="${s.height}" frames="${s.frames}" frameRate="${s.frameRate}"${s.startTimecode ? ` startTimecode="${s.startTimecode}"` : ''}/>`,
    `  <ColourEncoding primaries="${s.colour.primaries}" transfer="${s.colour.transfer}" matrix="${esc(s.colour.matrix)}" range="${s.colour.range}"/>`,
    `  <MasteringDisplay preset="${md.preset}" st2086="${md.st2086}">`,
    xy('Red', md.red, codes.red),
    xy('Green', md.green, codes.green),
    xy('Blue', md.blue, codes.blue),
    xy('WhitePoint', md.whitePoint, codes.white),
    `    <Luminance max="${md.maxLuminance}" min="${md.minLuminance}" codeMax="${codes.maxLuminance}" codeMin="${codes.minLuminance}"/>`,
    '  </MasteringDisplay>',
    `  <ContentLightLevel maxCLL="${s.contentLightLevel.maxCll}" maxFALL="${s.contentLightLevel.maxFall}"/>`,
    '</HDR10Metadata>',
    '',
  ].join('\n');
}

/** master.mov -> master.hdr10.json / .xml; a TIFF folder "reel1" -> reel1.hdr10.json beside it. */
export function sidecarPaths(out: string): { json: string; xml: string } {
  const stem = out.replace(/[\\/]+$/, '').replace(/\.(mov|mp4)$/i, '');
  return { json: `${stem}.hdr10.json`, xml: `${stem}.hdr10.xml` };
}
