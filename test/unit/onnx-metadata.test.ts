// The worker's reader of ONNX metadata_props: the shipped models' entries, and garbage that yields none.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { onnxMetadata } from '../../src-main/worker/onnx-metadata';
import { appRoot } from '../../src-main/core/paths';

const model = (name: string) => readFileSync(join(appRoot(), 'models', name));

test('reads the metadata the export wrote into the shipped models', () => {
  for (const s of [2, 4]) {
    const base = onnxMetadata(model(`baseline-x${s}.onnx`));
    assert.equal(base['remaster.kind'], 'baseline');
    assert.equal(base['remaster.scale'], String(s));
    assert.equal(base['remaster.contract'], 'sdr->hdr,base');
    const net = onnxMetadata(model(`srItm-x${s}.onnx`));
    assert.equal(net['remaster.kind'], 'sritm');
    assert.equal(JSON.parse(net['remaster.config']).scale, s);
  }
});

test('bytes that are not a ModelProto give no metadata, never an exception', () => {
  const good = model('baseline-x2.onnx');
  assert.deepEqual(onnxMetadata(new Uint8Array(0)), {});
  assert.deepEqual(onnxMetadata(good.subarray(0, good.length - 7)), {}, 'truncated');
  assert.deepEqual(onnxMetadata(new TextEncoder().encode('not a model at all, just text')), {});
  assert.deepEqual(onnxMetadata(new Uint8Array([0x72, 0xff, 0xff, 0xff, 0xff, 0x0f])), {}, 'length past the end');
  assert.deepEqual(onnxMetadata(new Uint8Array(64).fill(0xff)), {}, 'endless varints');
});
