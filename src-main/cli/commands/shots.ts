// `remaster shots`: each shot's clip, first and last frame, timecodes.
import { defineCommand } from '../context';
import { withLibrary } from '../library';

export default defineCommand({
  name: 'shots',
  args: ['PROJECT'],
  summary: "a project's shots: clip, first and last frame, timecodes",
  options: { json: { type: 'boolean', help: 'as JSON' } },
  run: ({ args: [name], options }, ctx) =>
    withLibrary(ctx, (lib) => {
      const project = lib.findProject(name);
      const shots = lib.api['shots.list']({ projectId: project.id });
      if (options.json) {
        const out = shots.map((s) => ({
          order: s.order,
          id: s.id,
          clip: s.clipName,
          clipId: s.clipId,
          firstFrame: s.firstFrame,
          lastFrame: s.lastFrame,
          frames: s.lastFrame - s.firstFrame + 1,
          startTimecode: s.startTimecode,
          endTimecode: s.endTimecode,
        }));
        process.stdout.write(JSON.stringify(out, null, 2) + '\n');
      } else if (shots.length === 0) process.stdout.write(`project "${project.name}" has no shots\n`);
      else {
        process.stdout.write('#\tclip\tfirst\tlast\tstart TC\tend TC\n');
        for (const s of shots) {
          process.stdout.write(
            `${s.order + 1}\t${s.clipName}\t${s.firstFrame}\t${s.lastFrame}\t${s.startTimecode}\t${s.endTimecode}\n`,
          );
        }
      }
      return 0;
    }),
});
