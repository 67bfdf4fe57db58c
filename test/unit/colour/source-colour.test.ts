// A clip's colour tags against what the up-conversion reads every source as (SDR, BT.709 primaries).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeSourceColour, sourceColourWarning } from '../../../src-main/common/colour';

test('HDR transfers and wide primaries are named; SDR BT.709, SD and untagged sources pass', () => {
  const warn = (primaries: string | null, transfer: string | null) => sourceColourWarning({ primaries, transfer });
  assert.match(warn('bt2020', 'smpte2084')!, /^tagged as an HDR clip \(PQ, SMPTE ST 2084\): .* will be wrong$/);
  assert.match(warn('bt2020', 'arib-std-b67')!, /HLG, ARIB STD-B67/);
  assert.match(warn(null, 'smpte2084')!, /PQ/, 'the transfer alone is enough');
  assert.match(warn('bt2020', 'bt2020-10')!, /^tagged with BT\.2020 primaries: .* colours will be wrong$/);
  assert.match(warn('smpte432', 'bt709')!, /Display P3/);
  assert.match(warn('smpte431', null)!, /DCI-P3/);
  for (const [p, t] of [
    ['bt709', 'bt709'],
    ['smpte170m', 'smpte170m'],
    ['bt470bg', 'bt709'],
    [null, null],
    ['unknown', 'unknown'],
    ['constructor', 'toString'],
  ] as const)
    assert.equal(warn(p, t), null, `${p} / ${t}`);
});

test("a clip's colour tags in words, untagged parts named", () => {
  assert.equal(
    describeSourceColour({ primaries: 'bt709', transfer: 'bt709', range: 'tv' }),
    'BT.709 · BT.709 · TV range',
  );
  assert.equal(
    describeSourceColour({ primaries: 'bt2020', transfer: 'smpte2084', range: 'tv' }),
    'BT.2020 · PQ · TV range',
  );
  assert.equal(describeSourceColour({ primaries: null, transfer: null, range: null }), 'untagged (read as BT.709)');
  assert.equal(
    describeSourceColour({ primaries: 'bt470bg', transfer: null, range: 'pc' }),
    'BT.601 625 · transfer untagged · full range',
  );
  assert.equal(
    describeSourceColour({ primaries: 'film', transfer: 'log100', range: null }),
    'film · log100 · range untagged',
  );
});
