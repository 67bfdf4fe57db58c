// The onnxruntime side of the worker: sessions created per provider, runs into kept output buffers.
import * as ort from 'onnxruntime-node';
import { inferenceThreads } from '../node/cpu-cores';
import type { ExecutionProvider } from '../common/contract';
import type { Engine } from './runner';

/** CPU threads per run, when this machine's count is ours (else onnxruntime's default). */
export const intraOpNumThreads = inferenceThreads();

/**
 * Float32 buffers kept between runs, by purpose. A UHD tile's outputs are ~100 MB per plane set: allocating them
 * afresh each run cost more in page faults and zeroing than the baseline model's arithmetic (a 960x540 run of
 * baseline-x2 took 257 ms with fresh outputs, 135 ms writing into kept ones). Safe to reuse: one request runs at
 * a time and its reply is written or serialised before the next starts.
 */
const kept = new Map<string, Float32Array<ArrayBuffer>>();
export function keptBuffer(purpose: string, length: number): Float32Array<ArrayBuffer> {
  let b = kept.get(purpose);
  if (!b || b.length < length) kept.set(purpose, (b = new Float32Array(length)));
  return b.length === length ? b : b.subarray(0, length);
}

/**
 * The loaded model declares (metadata `remaster.kind` = `baseline`, models/README.md) that its result is its
 * analytic baseline: only `base` is computed and handed over, and `hdr` is the same array. Half the hand-over of a
 * UHD frame (100 MB) for the analytic models.
 */
let resultIsBase = false;
export function setResultIsBase(v: boolean): void {
  resultIsBase = v;
}

/**
 * The session options every provider gets. Without spinning, onnxruntime's threads leave the CPU between the
 * parallel sections of a run, where a render's grade and cache encode can use it instead of stalling a thread (and
 * with it the other, at the next barrier): README, "Render overhead".
 */
export function sessionOptions(ep: ExecutionProvider): ort.InferenceSession.SessionOptions {
  return {
    executionProviders: [ep],
    graphOptimizationLevel: 'all',
    ...(intraOpNumThreads ? { intraOpNumThreads } : {}),
    extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
  };
}

export const ortEngine: Engine<ort.InferenceSession> = {
  create: (file, ep) => ort.InferenceSession.create(file, sessionOptions(ep)),
  names: (s) => ({ inputs: s.inputNames, outputs: s.outputNames }),
  async run(s, input, dims, expect) {
    const feeds = { sdr: new ort.Tensor('float32', input, dims) };
    if (expect && resultIsBase) {
      const base = keptBuffer(
        'base',
        expect.reduce((a, b) => a * b, 1),
      );
      await s.run(feeds, { base: new ort.Tensor('float32', base, expect) });
      return { hdr: base, base, hdrDims: expect, baseDims: expect };
    }
    if (expect) {
      const n = expect.reduce((a, b) => a * b, 1);
      const hdr = keptBuffer('hdr', n);
      const base = keptBuffer('base', n);
      await s.run(feeds, {
        hdr: new ort.Tensor('float32', hdr, expect),
        base: new ort.Tensor('float32', base, expect),
      });
      return { hdr, base, hdrDims: expect, baseDims: expect };
    }
    const out = await s.run(feeds);
    return {
      hdr: out.hdr.data as Float32Array<ArrayBuffer>,
      base: out.base.data as Float32Array<ArrayBuffer>,
      hdrDims: out.hdr.dims,
      baseDims: out.base.dims,
    };
  },
  release: (s) => s.release(),
};
