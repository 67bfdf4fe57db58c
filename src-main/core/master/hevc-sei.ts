// Pure byte logic for the HEVC content light level SEI (CTA-861.3 MaxCLL / MaxFALL; H.265 D.2.35, payloadType
// 144, two u16 in cd/m²): reading it out of a prefix SEI NAL unit. No file IO here (mp4-boxes.ts).

export const CONTENT_LIGHT_LEVEL_SEI = 144;
const PREFIX_SEI_NAL = 39;

export interface ContentLight {
  maxCll: number;
  maxFall: number;
}

/** nal_unit_type from the two-byte NAL header. */
export function nalUnitType(nal: Uint8Array): number {
  return (nal[0] >> 1) & 0x3f;
}

/** VCL NAL units (slices) are types 0-31; an access unit's prefix SEI come before them. */
export function isVcl(type: number): boolean {
  return type < 32;
}

/** The RBSP of a NAL unit after its header: emulation-prevention bytes (0x03 after 00 00) removed. */
function rbspOf(nal: Uint8Array): Uint8Array {
  const out = new Uint8Array(nal.length);
  let n = 0,
    zeros = 0;
  for (let i = 2; i < nal.length; i++) {
    if (zeros >= 2 && nal[i] === 3) {
      zeros = 0;
      continue;
    }
    zeros = nal[i] === 0 ? zeros + 1 : 0;
    out[n++] = nal[i];
  }
  return out.subarray(0, n);
}

/** The content light level messages of a prefix SEI NAL unit (none for any other NAL, or past a malformed message). */
export function contentLightLevels(nal: Uint8Array): ContentLight[] {
  if (nal.length < 3 || nalUnitType(nal) !== PREFIX_SEI_NAL) return [];
  const rbsp = rbspOf(nal);
  const found: ContentLight[] = [];
  let i = 0;
  const varint = (): number => {
    let v = 0;
    while (i < rbsp.length && rbsp[i] === 0xff) v += rbsp[i++];
    return i < rbsp.length ? v + rbsp[i++] : -1;
  };
  // sei_message()s until the rbsp trailing bits (0x80 as the last byte).
  while (i < rbsp.length - 1) {
    const type = varint();
    const size = varint();
    if (type < 0 || size < 0 || i + size > rbsp.length) break;
    if (type === CONTENT_LIGHT_LEVEL_SEI && size === 4) {
      found.push({ maxCll: (rbsp[i] << 8) | rbsp[i + 1], maxFall: (rbsp[i + 2] << 8) | rbsp[i + 3] });
    }
    i += size;
  }
  return found;
}
