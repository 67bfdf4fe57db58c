// Child process for the render kill test: renders MANIFEST into OUT, as `remaster render-shot` would.
import { createLogger } from '../../src-main/core/log';
import { runRenderShot } from '../../src-main/core/render';

const [manifest, out] = process.argv.slice(2);
runRenderShot(manifest, out, { log: createLogger({ quiet: true, level: 'error' }) }).then(
  (r) =>
    process.stdout.write(
      JSON.stringify({ hash: r.hash, skipped: r.skipped, renderedSegments: r.renderedSegments }) + '\n',
    ),
  (e: unknown) => {
    process.stderr.write(`render failed: ${(e as Error).message}\n`);
    process.exit(1);
  },
);
