// remaster shots PROJECT [--json]: each shot's clip, first and last frame, timecodes.
import { openCliLibrary } from '../../core/library/cli';
import { CliError, exitCodeFor, type CliCommand } from '../context';

const shots: CliCommand = async (args, ctx) => {
  const json = args.includes('--json');
  const rest = args.filter((a) => a !== '--json');
  const bad = rest.find((a) => a.startsWith('--'));
  if (bad) throw new CliError(`unknown option ${bad}`);
  const name = rest.join(' ').trim();
  if (!name) throw new CliError('usage: remaster shots PROJECT [--json]');
  let lib;
  try {
    lib = openCliLibrary(ctx.dataDir);
  } catch (e) {
    throw new CliError(e instanceof Error ? e.message : String(e), exitCodeFor(e));
  }
  try {
    const project = lib.findProject(name);
    const list = lib.listShots(project.id);
    if (json) {
      const out = list.map((s) => ({ order: s.order, id: s.id, clip: s.clipName, clipId: s.clipId, firstFrame: s.firstFrame, lastFrame: s.lastFrame, frames: s.lastFrame - s.firstFrame + 1, startTimecode: s.startTimecode, endTimecode: s.endTimecode }));
      process.stdout.write(JSON.stringify(out, null, 2) + '\n');
    } else if (list.length === 0) process.stdout.write(`project "${project.name}" has no shots\n`);
    else {
      process.stdout.write('#\tclip\tfirst\tlast\tstart TC\tend TC\n');
      for (const s of list) process.stdout.write(`${s.order + 1}\t${s.clipName}\t${s.firstFrame}\t${s.lastFrame}\t${s.startTimecode}\t${s.endTimecode}\n`);
    }
    return 0;
  } finally {
    lib.close();
  }
};

export default shots;
