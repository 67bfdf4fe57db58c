// `remaster render`: renders a project's stale shots into the render cache, as the app's render queue does.
import { CliError, defineCommand } from '../context';
import { shotList, warnNotSdr, withDelivery } from '../delivery';

export default defineCommand({
  name: 'render',
  args: ['PROJECT'],
  summary: "render a project's shots that are new or stale (grade, model or source changed)",
  options: {
    shots: { type: 'string', value: 'ID,...', help: 'only these shots (ids from `remaster shots PROJECT --json`)' },
    model: { type: 'string', value: 'FILE', help: 'another .onnx model that meets models/README.md' },
    force: { type: 'boolean', help: 'render the shots again even when their render is current' },
  },
  run: ({ args: [name], options }, ctx) =>
    withDelivery(ctx, options.model, async (lib, delivery, watch) => {
      const project = lib.findProject(name);
      warnNotSdr(lib, project.id, shotList(options.shots), 'render');
      const r = await delivery.startRender(project.id, { shotIds: shotList(options.shots), force: options.force });
      if (!r.jobId) {
        process.stdout.write(`project "${project.name}": every shot is rendered\n`);
        return 0;
      }
      watch(r.jobId);
      const summary = await r.done;
      const status = new Map(
        (await delivery.api['renders.status']({ projectId: project.id })).map((s) => [s.shotId, s]),
      );
      for (const s of lib.api['shots.list']({ projectId: project.id })) {
        const st = status.get(s.id);
        if (!st || (options.shots && !shotList(options.shots)!.includes(s.id))) continue;
        const light = st.maxCll === null ? '' : `, MaxCLL ${st.maxCll} nits, MaxFALL ${st.maxFall} nits`;
        process.stdout.write(
          `${s.order + 1}\t${s.clipName}\t${s.firstFrame}-${s.lastFrame}\t${st.state}${st.reason ? ` (${st.reason})` : ''}${light}\n`,
        );
      }
      if (summary.failures.length)
        throw new CliError(`${summary.failures.length} of ${r.shots} shots failed: ${summary.failures[0].message}`, 1);
      return 0;
    }),
});
