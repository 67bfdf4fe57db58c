// `remaster render-shot`: what a render node runs. One manifest into its cache folder under --out; it never
// opens the library (SQLite over a network file system corrupts), so it can run on any machine with the media.
import { defineCommand } from '../context';
import { progressPrinter } from '../delivery';

export default defineCommand({
  name: 'render-shot',
  args: ['MANIFEST.json'],
  summary: 'render one shot manifest into DIR/<hash> without the library (a render node); resumable',
  options: {
    out: {
      type: 'string',
      value: 'DIR',
      required: true,
      help: 'the render cache folder; the manifest hash names the render inside',
    },
  },
  async run({ args: [manifest], options }, ctx) {
    const [{ runRenderShot }, { createLogger }] = await Promise.all([
      import('../../core/render'),
      import('../../core/log'),
    ]);
    const ctl = new AbortController();
    const onSigint = (): void => ctl.abort();
    process.once('SIGINT', onSigint);
    const print = progressPrinter(ctx);
    const started = new Date().toISOString();
    try {
      const r = await runRenderShot(manifest, options.out, {
        log: createLogger({ quiet: true, level: 'warn' }),
        signal: ctl.signal,
        onProgress: (p) =>
          print({
            id: 'render-shot',
            kind: 'render',
            projectId: null,
            state: p.framesDone === p.framesTotal ? 'done' : 'running',
            fraction: p.framesDone / p.framesTotal,
            etaSeconds: p.etaSeconds,
            message: `frame ${p.framesDone}/${p.framesTotal}, ${p.fps.toFixed(2)} fps${p.etaSeconds !== null ? `, about ${Math.ceil(p.etaSeconds)} s left` : ''}`,
            error: null,
            createdAt: started,
            finishedAt: null,
          }),
      });
      const res = r.result;
      const how = r.skipped
        ? 'complete already, nothing rendered'
        : `${r.renderedSegments} of ${res.segments.length} segments rendered, the rest from the cache`;
      process.stdout.write(
        `${r.dir}: ${res.frameCount} frames ${res.width}x${res.height} at ${res.frameRate}, MaxCLL ${res.maxCll.toFixed(1)} nits, MaxFALL ${res.maxFall.toFixed(1)} nits (${how})\n`,
      );
      return 0;
    } finally {
      process.removeListener('SIGINT', onSigint);
    }
  },
});
