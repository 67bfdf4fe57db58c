// The grade thread's entry (bundled as .build/main/grade-thread.cjs): grades the network's frames to the cache's
// 16-bit codes and measures their light, below normal priority. See grade-thread.ts for why.
import { setPriority, constants } from 'node:os';
import { parentPort } from 'node:worker_threads';
import { gradeFrameToCodes, measureFrame, prepareGrade } from '../../common/colour';
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
    const { up } = req;
    const n = up.width * up.height;
    const planes = (a: Float32Array) => ({ r: a.subarray(0, n), g: a.subarray(n, 2 * n), b: a.subarray(2 * n) });
    const picture = gradeFrameToCodes(
      planes(up.hdr),
      planes(up.base),
      prepareGrade(req.params),
      up.width,
      up.height,
      req.codes,
    );
    if (picture.data !== req.codes) throw new Error('the code buffer does not fit the frame');
    const level = measureFrame(picture, { gamut: false });
    reply = { id: req.id, light: { maxCll: level.maxCll, frameAverage: level.fall }, active: level.active };
  } catch (e) {
    reply = { id: req.id, error: e instanceof Error ? e.message : String(e) };
  }
  port.postMessage(reply);
});
