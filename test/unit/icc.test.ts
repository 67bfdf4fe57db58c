import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  bradfordAdaptation,
  bt2020ToD50Matrix,
  bt2100PqIccProfile,
  ICC_D50,
  iccProfileId,
  md5,
  PQ_ICC_DESCRIPTION,
  whiteXyz,
} from '../../src-main/common/colour/icc';
import { D65, mat3Apply, nitsToPq } from '../../src-main/common/colour';

const profile = bt2100PqIccProfile();
const dv = new DataView(profile.buffer, profile.byteOffset, profile.byteLength);
const sig = (at: number) => String.fromCharCode(...profile.subarray(at, at + 4));
const s15 = (at: number) => dv.getInt32(at) / 65536;

function tagTable(): { sig: string; offset: number; size: number }[] {
  return Array.from({ length: dv.getUint32(128) }, (_, i) => ({
    sig: sig(132 + 12 * i),
    offset: dv.getUint32(136 + 12 * i),
    size: dv.getUint32(140 + 12 * i),
  }));
}
const tag = (name: string) => tagTable().find((t) => t.sig === name)!;

test('md5 agrees with node:crypto across block boundaries', () => {
  for (const n of [0, 1, 55, 56, 63, 64, 65, 119, 120, 1000, 4099]) {
    const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 131 + 7) & 0xff);
    assert.equal(Buffer.from(md5(bytes)).toString('hex'), createHash('md5').update(bytes).digest('hex'), `length ${n}`);
  }
});

test('ICC header: v4.4 display RGB/XYZ, D50 illuminant, size and profile ID', () => {
  assert.equal(dv.getUint32(0), profile.length);
  assert.equal(profile.length % 4, 0);
  assert.deepEqual([...profile.subarray(8, 12)], [4, 0x40, 0, 0]);
  assert.deepEqual([sig(12), sig(16), sig(20), sig(36)], ['mntr', 'RGB ', 'XYZ ', 'acsp']);
  assert.deepEqual([dv.getUint32(68), dv.getUint32(72), dv.getUint32(76)], [0xf6d6, 0x10000, 0xd32d]);
  assert.deepEqual([...profile.subarray(100, 128)], new Array(28).fill(0));
  // Profile ID: MD5 with flags, rendering intent and the ID itself zeroed (computed here with node:crypto).
  const zeroed = profile.slice();
  zeroed.fill(0, 44, 48).fill(0, 64, 68).fill(0, 84, 100);
  assert.equal(Buffer.from(profile.subarray(84, 100)).toString('hex'), createHash('md5').update(zeroed).digest('hex'));
  assert.deepEqual(iccProfileId(profile), profile.subarray(84, 100));
});

test('tag table: required tags, 4-byte aligned, inside the profile, no overlaps except the shared TRC', () => {
  const tags = tagTable();
  assert.deepEqual(
    tags.map((t) => t.sig),
    ['desc', 'cprt', 'wtpt', 'chad', 'rXYZ', 'gXYZ', 'bXYZ', 'rTRC', 'gTRC', 'bTRC', 'cicp'],
  );
  assert.equal(tags[0].offset, 128 + 4 + 12 * tags.length);
  const types: Record<string, string> = {
    desc: 'mluc',
    cprt: 'mluc',
    wtpt: 'XYZ ',
    chad: 'sf32',
    rXYZ: 'XYZ ',
    gXYZ: 'XYZ ',
    bXYZ: 'XYZ ',
    rTRC: 'curv',
    gTRC: 'curv',
    bTRC: 'curv',
    cicp: 'cicp',
  };
  for (const t of tags) {
    assert.equal(t.offset % 4, 0, t.sig);
    assert.ok(t.offset + t.size <= profile.length, t.sig);
    assert.equal(sig(t.offset), types[t.sig], t.sig);
  }
  const distinct = [...new Map(tags.map((t) => [t.offset, t])).values()].sort((a, b) => a.offset - b.offset);
  assert.equal(distinct.length, tags.length - 2);
  for (let i = 1; i < distinct.length; i++)
    assert.ok(distinct[i].offset >= distinct[i - 1].offset + distinct[i - 1].size);
  assert.ok(profile.length - (distinct.at(-1)!.offset + distinct.at(-1)!.size) < 4);
  assert.equal(tag('rTRC').offset, tag('bTRC').offset);
  // cicp: BT.2020 primaries 9, PQ 16, matrix 0 (R'G'B'), full range.
  const c = tag('cicp');
  assert.equal(c.size, 12);
  assert.deepEqual([...profile.subarray(c.offset + 8, c.offset + 12)], [9, 16, 0, 1]);
  // desc: one enUS record holding the description in UTF-16BE.
  const d = tag('desc');
  assert.deepEqual([dv.getUint32(d.offset + 8), dv.getUint32(d.offset + 12), sig(d.offset + 16)], [1, 12, 'enUS']);
  const len = dv.getUint32(d.offset + 20),
    at = d.offset + dv.getUint32(d.offset + 24);
  assert.equal(
    String.fromCharCode(...Array.from({ length: len / 2 }, (_, i) => dv.getUint16(at + 2 * i))),
    PQ_ICC_DESCRIPTION,
  );
});

test('primaries: BT.2020 Bradford-adapted to D50; columns sum to the D50 white', () => {
  const m = bt2020ToD50Matrix();
  const white = mat3Apply(m, 1, 1, 1);
  for (let k = 0; k < 3; k++) assert.ok(Math.abs(white[k] - ICC_D50[k]) < 1e-12);
  // Bradford maps D65 to D50 exactly.
  const w = mat3Apply(bradfordAdaptation(whiteXyz(D65), ICC_D50), ...whiteXyz(D65));
  for (let k = 0; k < 3; k++) assert.ok(Math.abs(w[k] - ICC_D50[k]) < 1e-12);
  // As stored (s15Fixed16): rXYZ + gXYZ + bXYZ = wtpt = D50 within 1e-4, and each column within 1/65536·0.5.
  const stored = ['rXYZ', 'gXYZ', 'bXYZ'].map((n) => [0, 1, 2].map((k) => s15(tag(n).offset + 8 + 4 * k)));
  for (let k = 0; k < 3; k++) {
    assert.ok(Math.abs(stored[0][k] + stored[1][k] + stored[2][k] - ICC_D50[k]) < 1e-4, `component ${k}`);
    for (let j = 0; j < 3; j++) assert.ok(Math.abs(stored[j][k] - m[3 * k + j]) <= 0.5 / 65536);
  }
  const wt = [0, 1, 2].map((k) => s15(tag('wtpt').offset + 8 + 4 * k));
  assert.deepEqual(wt, [0xf6d6 / 65536, 1, 0xd32d / 65536]);
  // Green is the brightest primary of BT.2020 (Y 0.678 before adaptation); Bradford keeps Y of white at 1.
  assert.ok(stored[1][1] > stored[0][1] && stored[0][1] > stored[2][1]);
});

test('TRC: the PQ EOTF relative to 10000 cd/m², sampled at 1024 points', () => {
  const t = tag('rTRC');
  const n = dv.getUint32(t.offset + 8);
  assert.equal(n, 1024);
  assert.equal(t.size, 12 + 2 * n);
  const entry = (i: number) => dv.getUint16(t.offset + 12 + 2 * i);
  assert.equal(entry(0), 0);
  assert.equal(entry(n - 1), 65535);
  // E' for 1000 cd/m² is 0.7518: the curve there gives 1000/10000 of full scale, to table precision.
  const i = Math.round(nitsToPq(1000) * (n - 1));
  const nitsAt = (entry(i) / 65535) * 10000;
  assert.ok(Math.abs(nitsAt - 1000) < 10, `${nitsAt}`);
  for (let k = 1; k < n; k++) assert.ok(entry(k) >= entry(k - 1));
});
