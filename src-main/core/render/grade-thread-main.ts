// A grade thread's entry (bundled as .build/main/grade-thread.cjs): grades rows of the network's frames to the
// cache's 16-bit codes, measures a graded frame's light, or hashes a cache segment, below normal priority. See
// grade-thread.ts for why.
import { setPriority, constants } from 'node:os';
import { parentPort } from 'node:worker_threads';
import { gradeRowsToCodes, measureFrame, prepareGrade } from '../../common/colour';
import { sha256File } from '../../node/file-io';
import type { GradeReply, GradeRequest } from './grade-thread';

// On Linux the nice value is per thread and pid 0 names the calling thread: this lowers this thread only.
// Elsewhere the same call would lower the whole process (the app's main thread), so it stays at normal there.
if (process.platform === 'linux') {
  try {
    setPriority(0, constants.priority.PRIORITY_BELOW_NORMAL);
  } catch {
    // not permitted: the render is only slower
  }
}

const port = parentPort!;

port.on('message', (req: GradeRequest) => {
  let reply: GradeReply;
  try {
    if (req.kind === 'hash') {
      reply = { id: req.id, sha256: sha256File(req.file) };
    } else if (req.kind === 'measure') {
      const level = measureFrame(
        { width: req.width, height: req.height, data: req.codes, layout: 'planar' },
        { gamut: false },
      );
      reply = { id: req.id, light: { maxCll: level.maxCll, frameAverage: level.fall }, active: level.active };
    } else {
      const { up } = req;
      const n = up.width * up.height;
      const planes = (a: Float32Array) => ({ r: a.subarray(0, n), g: a.subarray(n, 2 * n), b: a.subarray(2 * n) });
      const [from, to] = req.rows;
      gradeRowsToCodes(
        planes(up.hdr),
        planes(up.base),
        prepareGrade(req.params),
        up.width,
        up.height,
        req.codes,
        from,
        to,
      );
      reply = { id: req.id };
    }
  } catch (e) {
    reply = { id: req.id, error: e instanceof Error ? e.message : String(e) };
  }
  port.postMessage(reply);
});
