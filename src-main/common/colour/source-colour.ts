// What a clip's own colour tags say against what Remaster reads every source as: SDR, BT.709 primaries. An HDR
// (PQ or HLG) or wide-gamut source decodes to code values that mean something else, so its up-conversion is
// wrong; the library says so on the clip instead of letting it pass silently. Untagged files are taken at
// their word (SDR BT.709), as every player does.

/** ffprobe's names for the transfers and primaries that are not SDR BT.709 (or its SD relatives). */
const HDR_TRANSFERS: ReadonlyMap<string, string> = new Map([
  ['smpte2084', 'an HDR clip (PQ, SMPTE ST 2084)'],
  ['arib-std-b67', 'an HDR clip (HLG, ARIB STD-B67)'],
]);
const WIDE_PRIMARIES: ReadonlyMap<string, string> = new Map([
  ['bt2020', 'BT.2020'],
  ['smpte431', 'DCI-P3'],
  ['smpte432', 'Display P3 (P3-D65)'],
]);

/**
 * Why this clip's colour is not what the up-conversion assumes, in one sentence; null for SDR BT.709 (and for
 * untagged or SD-tagged sources, which are read the same way).
 */
export function sourceColourWarning(colour: { primaries: string | null; transfer: string | null }): string | null {
  const hdr = colour.transfer ? HDR_TRANSFERS.get(colour.transfer) : undefined;
  if (hdr)
    return `tagged as ${hdr}: Remaster up-converts SDR footage and reads it as SDR BT.709, so its result will be wrong`;
  const wide = colour.primaries ? WIDE_PRIMARIES.get(colour.primaries) : undefined;
  if (wide) return `tagged with ${wide} primaries: Remaster reads every source as BT.709, so its colours will be wrong`;
  return null;
}

const PRIMARIES_NAMES: ReadonlyMap<string, string> = new Map([
  ['bt709', 'BT.709'],
  ['smpte170m', 'SMPTE 170M'],
  ['bt470bg', 'BT.601 625'],
  ['bt2020', 'BT.2020'],
  ['smpte431', 'DCI-P3'],
  ['smpte432', 'P3-D65'],
]);
const TRANSFER_NAMES: ReadonlyMap<string, string> = new Map([
  ['bt709', 'BT.709'],
  ['smpte170m', 'BT.601'],
  ['bt2020-10', 'BT.2020'],
  ['bt2020-12', 'BT.2020'],
  ['iec61966-2-1', 'sRGB'],
  ['smpte2084', 'PQ'],
  ['arib-std-b67', 'HLG'],
  ['linear', 'linear'],
]);

/** A clip's colour tags in a colorist's words: "BT.709 · BT.709 · TV range"; what is untagged says so. */
export function describeSourceColour(colour: {
  primaries: string | null;
  transfer: string | null;
  range: 'tv' | 'pc' | null;
}): string {
  if (!colour.primaries && !colour.transfer && !colour.range) return 'untagged (read as BT.709)';
  const name = (names: ReadonlyMap<string, string>, v: string | null, what: string) =>
    v ? (names.get(v) ?? v) : `${what} untagged`;
  const range = colour.range === 'pc' ? 'full range' : colour.range === 'tv' ? 'TV range' : 'range untagged';
  return [
    name(PRIMARIES_NAMES, colour.primaries, 'primaries'),
    name(TRANSFER_NAMES, colour.transfer, 'transfer'),
    range,
  ].join(' · ');
}
