// Reading the content light level SEI out of HEVC NAL units: behind other SEI messages, through emulation-
// prevention bytes (in the payload itself too), and nothing from other NAL units or malformed messages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { contentLightLevels } from '../../src-main/core/master/hevc-sei';

/** A raw NAL from its header and RBSP: an emulation-prevention 0x03 after each 00 00 followed by 00..03. */
function nal(header: number[], rbsp: number[]): Uint8Array {
  const out = [...header];
  let zeros = 0;
  for (const b of rbsp) {
    if (zeros >= 2 && b <= 3) {
      out.push(3);
      zeros = 0;
    }
    out.push(b);
    zeros = b === 0 ? zeros + 1 : 0;
  }
  return Uint8Array.from(out);
}

const PREFIX_SEI = [39 << 1, 1];
const u16 = (v: number): number[] => [v >> 8, v & 0xff];
/** ST 2086 (payloadType 137, 24 bytes) holding 00 00 00 00 01: two emulation-prevention bytes in its NAL. */
const mastering = [137, 24, ...u16(0), ...u16(0), ...u16(1), ...Array<number>(18).fill(7)];
const contentLight = (cll: number, fall: number): number[] => [144, 4, ...u16(cll), ...u16(fall)];

test('MaxCLL/MaxFALL behind an ST 2086 message whose bytes needed emulation prevention', () => {
  const n = nal(PREFIX_SEI, [...mastering, ...contentLight(1000, 400), 0x80]);
  assert.equal(n.length, 2 + mastering.length + 2 + 6 + 1, 'two emulation-prevention bytes');
  assert.deepEqual(contentLightLevels(n), [{ maxCll: 1000, maxFall: 400 }]);
});

test('values whose own bytes need emulation prevention (256 / 2 is 01 00 00 02) read back as written', () => {
  const n = nal(PREFIX_SEI, [...contentLight(256, 2), 0x80]);
  assert.equal(n.length, 2 + 6 + 1 + 1);
  assert.deepEqual(contentLightLevels(n), [{ maxCll: 256, maxFall: 2 }]);
  assert.deepEqual(contentLightLevels(nal(PREFIX_SEI, [...contentLight(0, 0), 0x80])), [{ maxCll: 0, maxFall: 0 }]);
});

test('a payload type past 255 is counted in 0xFF bytes; each message of the NAL is read', () => {
  // payloadType 300 = 0xFF + 45, three bytes of payload, then two content light messages.
  const n = nal(PREFIX_SEI, [0xff, 45, 3, 1, 2, 3, ...contentLight(4000, 120), ...contentLight(203, 46), 0x80]);
  assert.deepEqual(contentLightLevels(n), [
    { maxCll: 4000, maxFall: 120 },
    { maxCll: 203, maxFall: 46 },
  ]);
});

test('other NAL units and malformed SEI give nothing', () => {
  assert.deepEqual(contentLightLevels(nal([33 << 1, 1], [...contentLight(1000, 400), 0x80])), [], 'an SPS');
  assert.deepEqual(contentLightLevels(nal(PREFIX_SEI, [144, 40, 1, 2, 3, 0x80])), [], 'a size past the end');
  assert.deepEqual(contentLightLevels(Uint8Array.from(PREFIX_SEI)), [], 'no payload');
});
