// `remaster export`: a verified HDR10 master of a project's shots, rendering what is missing first. Progress
// on stderr; the read-back report on stdout (--json: the export record). Exit 1 when the master fails it.
import { ExportRequest, type ExportRecord } from '../../common/contract';
import { CliError, defineCommand } from '../context';
import { shotList, warnNotSdr, withDelivery } from '../delivery';

function frameRange(arg: string | undefined): { first: number; last: number } | undefined {
  if (arg === undefined) return undefined;
  const m = /^(\d+)-(\d+)$/.exec(arg);
  if (!m || Number(m[2]) < Number(m[1])) throw new CliError(`--frames must be FIRST-LAST (e.g. 0-239), got ${arg}`);
  return { first: Number(m[1]), last: Number(m[2]) };
}

function reportText(r: ExportRecord): string {
  const lines = [
    `${r.outputPath}: ${r.state === 'done' ? 'verified' : r.state} (${r.format}, ${r.frames} frames, mastering ${r.mastering})`,
  ];
  for (const c of r.report?.checks ?? []) {
    // A check within a tolerance shows both sides; an exact one its value once.
    const text = c.ok && c.expected === c.actual ? c.actual : `expected ${c.expected}, found ${c.actual}`;
    lines.push(`  ${c.ok ? 'ok  ' : 'FAIL'} ${c.name}: ${text}`);
  }
  if (r.report) {
    const m = r.report.measured;
    const measured = m ? ` (the decoded master measures ${m.maxCll.toFixed(1)} / ${m.maxFall.toFixed(1)})` : '';
    lines.push(`MaxCLL ${r.report.maxCll} nits, MaxFALL ${r.report.maxFall} nits${measured}`);
  }
  lines.push(`audio: ${r.audio}`);
  return lines.join('\n') + '\n';
}

export default defineCommand({
  name: 'export',
  args: ['PROJECT'],
  summary: 'render what is missing, then write and verify by read-back an HDR10 master',
  options: {
    format: { type: 'string', value: 'hdr10-hevc|prores4444xq|prores422hq|tiff16', required: true, help: 'the master' },
    out: {
      type: 'string',
      value: 'PATH',
      required: true,
      help: 'the .mp4/.mov file, or for tiff16 the folder to create',
    },
    mastering: {
      type: 'string',
      value: 'p3-1000|bt2020-1000|p3-4000',
      default: 'p3-1000',
      help: 'the grading display the master declares (ST 2086)',
    },
    raster: {
      type: 'string',
      value: 'rendered|uhd',
      default: 'rendered',
      help: "the picture: the network's output size, or UHD 3840x2160 (resized to fit, on black)",
    },
    shots: { type: 'string', value: 'ID,...', help: 'only these shots, in timeline order' },
    frames: { type: 'string', value: 'A-B', help: 'frames of the programme, counted from 0, inclusive' },
    model: { type: 'string', value: 'FILE', help: 'another .onnx model that meets models/README.md' },
    force: { type: 'boolean', help: 'replace an existing master (only once the new one is verified)' },
    json: { type: 'boolean', help: 'the export record with its report, as JSON' },
  },
  async run({ args: [name], options }, ctx) {
    const frames = frameRange(options.frames);
    return withDelivery(ctx, options.model, async (lib, delivery, watch) => {
      const project = lib.findProject(name);
      const parsed = ExportRequest.safeParse({
        projectId: project.id,
        format: options.format,
        mastering: options.mastering,
        out: options.out,
        shotIds: shotList(options.shots),
        frames,
        force: options.force,
        raster: options.raster,
      });
      if (!parsed.success)
        throw new CliError(parsed.error.issues.map((i) => `--${String(i.path[0] ?? '')}: ${i.message}`).join('; '));
      warnNotSdr(lib, project.id, parsed.data.shotIds, 'export');
      const started = await delivery.startExport(parsed.data);
      watch(started.jobId);
      let failure: unknown = null;
      await started.done.catch((e: unknown) => (failure = e));
      const record = delivery.api['exports.list']({ projectId: project.id }) as ExportRecord[];
      const r = record.find((x) => x.id === started.exportId);
      if (r?.report) process.stdout.write(options.json ? JSON.stringify(r, null, 2) + '\n' : reportText(r));
      if (failure) throw failure;
      return 0;
    });
  },
});
