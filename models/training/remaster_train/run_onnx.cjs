// Runs a Remaster ONNX model (contract sdr -> hdr, base; models/README.md) on raw float32 files, for the
// Python training tools: Debian's Python has no onnxruntime, so the shipped .onnx files are measured through the
// same onnxruntime-node the app uses.
//
// Usage: node run_onnx.cjs JOBS.json
//   JOBS.json: {"model": "path.onnx", "threads": 1,
//               "items": [{"input": "x.f32", "dims": [1, 3, h, w], "hdr": "out.hdr.f32", "base": "out.base.f32"}]}
//   input: little-endian float32, planar NCHW (R'G'B' in [0, 1]); outputs the same layout at s*h x s*w.
//   "base" may be omitted (not written). Prints one JSON line per item: {"i", "ms", "dims"}.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

function loadOrt() {
  // The repository's node_modules, wherever this script is run from.
  const root = path.resolve(__dirname, '..', '..', '..');
  return require(require.resolve('onnxruntime-node', { paths: [root] }));
}

function readF32(file, count) {
  const buf = fs.readFileSync(file);
  if (buf.length !== count * 4) {
    throw new Error(`${file}: ${buf.length} bytes, expected ${count * 4} (float32 x ${count})`);
  }
  // Copy into an aligned buffer: a Buffer's byteOffset need not be a multiple of 4.
  const out = new Float32Array(count);
  new Uint8Array(out.buffer).set(buf);
  return out;
}

function writeF32(file, arr) {
  fs.writeFileSync(file, Buffer.from(arr.buffer, arr.byteOffset, arr.byteLength));
}

async function main() {
  const jobsFile = process.argv[2];
  if (!jobsFile) {
    throw new Error('usage: node run_onnx.cjs JOBS.json');
  }
  const jobs = JSON.parse(fs.readFileSync(jobsFile, 'utf8'));
  const ort = loadOrt();
  const threads = jobs.threads || 1;
  const session = await ort.InferenceSession.create(jobs.model, {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
  });
  for (let i = 0; i < jobs.items.length; i++) {
    const it = jobs.items[i];
    const dims = it.dims;
    if (!Array.isArray(dims) || dims.length !== 4 || dims[1] !== 3) {
      throw new Error(`item ${i}: dims must be [N, 3, h, w], got ${JSON.stringify(dims)}`);
    }
    const data = readF32(it.input, dims.reduce((a, b) => a * b, 1));
    const t0 = process.hrtime.bigint();
    const out = await session.run({ sdr: new ort.Tensor('float32', data, dims) });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    writeF32(it.hdr, out.hdr.data);
    if (it.base) {
      writeF32(it.base, out.base.data);
    }
    process.stdout.write(JSON.stringify({ i, ms: Math.round(ms * 10) / 10, dims: out.hdr.dims }) + '\n');
  }
}

main().catch((e) => {
  process.stderr.write(`run_onnx: ${e && e.stack ? e.stack : e}\n`);
  process.exit(1);
});
