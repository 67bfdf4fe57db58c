// Independent reference for the analytic SDR->HDR mapping, written from the standards' formulas
// (not from our colour module) so tests compare two implementations.
const m1 = 2610 / 16384;
const m2 = (2523 / 4096) * 128;
const c1 = 3424 / 4096;
const c2 = (2413 / 4096) * 32;
const c3 = (2392 / 4096) * 32;

export function pqFromNits(nits: number): number {
  const y = Math.max(nits, 0) / 10000;
  const p = Math.pow(y, m1);
  return Math.pow((c1 + c2 * p) / (1 + c3 * p), m2);
}

/** BT.709 -> BT.2020 (ITU-R BT.2087) to four decimals; enough for a 1-code check of flat colours. */
export const BT709_TO_BT2020 = [
  [0.6274, 0.3293, 0.0433],
  [0.0691, 0.9195, 0.0114],
  [0.0164, 0.088, 0.8956],
];

/** A flat BT.709 R'G'B' colour mapped display-referred (BT.1886, diffuse white at `white` nits) to PQ R'G'B' BT.2020. */
export function flatSdrToPq(rgb: [number, number, number], white = 203): [number, number, number] {
  const lin = rgb.map((v) => Math.pow(Math.min(Math.max(v, 0), 1), 2.4) * white);
  return BT709_TO_BT2020.map((row) => pqFromNits(row[0] * lin[0] + row[1] * lin[1] + row[2] * lin[2])) as [
    number,
    number,
    number,
  ];
}

export const to10bitNarrow = (e: number): number => Math.round(64 + 876 * e);
