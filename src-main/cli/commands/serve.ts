// `remaster serve`: the headless host (browser mode). Also what `npm start` falls back to without Electron.
import { CliError, defineCommand } from '../context';

export default defineCommand({
  name: 'serve',
  args: [],
  summary: 'browser mode: the app on a local URL, with a per-launch token',
  options: {
    port: { type: 'string', value: 'N', default: '7450', help: 'port; any free one when it is taken' },
    bind: {
      type: 'string',
      value: 'ADDR',
      default: '127.0.0.1',
      help: "address to listen on; any but this machine's own opens it to the network",
    },
    'media-root': {
      type: 'string',
      value: 'DIR',
      multiple: true,
      help: 'a folder the media browser may show; repeatable; default: your home and the demo assets',
    },
    // Like the desktop app, a new library starts with the demo project (once: deleted, it stays deleted).
    'no-demo': { type: 'boolean', help: 'do not create the demo project in a new library' },
  },
  async run({ options }, ctx) {
    const port = Number(options.port);
    if (!/^\d+$/.test(options.port) || port > 65535) throw new CliError(`--port must be 0..65535, got ${options.port}`);
    // Loaded here: `--help` does not need the core or the HTTP server.
    const [{ createCore }, { startHost }, { defaultMediaRoots, inspectMediaRoots }] = await Promise.all([
      import('../../core'),
      import('../../host/server'),
      import('../../core/library/roots'),
    ]);
    const mediaRoots = options['media-root'].length ? options['media-root'] : defaultMediaRoots();
    // A host with nothing to browse is no use: each root it cannot offer is named, and none at all is refused.
    const { usable, unusable } = inspectMediaRoots(mediaRoots);
    const unusableLines = unusable.map((u) => `media root ${u.root} is ${u.reason}: not offered`);
    if (usable.length === 0) {
      throw new CliError(`no usable media root: ${unusable.map((u) => `${u.root} (${u.reason})`).join(', ')}`);
    }
    const core = createCore({ host: 'headless', dataDir: ctx.dataDir, demo: !options['no-demo'], mediaRoots });
    for (const line of unusableLines) {
      ctx.progress(`warning: ${line}`);
      core.log.warn(line);
    }
    let host;
    try {
      host = await startHost({ core, port, bind: options.bind });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw e;
      // Another Remaster (or anything else) has the port: take any free one rather than fail.
      host = await startHost({ core, port: 0, bind: options.bind });
    }
    if (!['127.0.0.1', 'localhost', '::1'].includes(options.bind)) {
      ctx.progress(
        `warning: listening on ${options.bind}: anyone who can reach this address and has the URL's token can use Remaster`,
      );
    }
    process.stdout.write(`Remaster (browser mode) is running. Open:\n  ${host.url}\n`);
    const stop = async (): Promise<void> => {
      // A browser tab or a render that does not let go must not keep a stopped host alive.
      setTimeout(() => process.exit(0), 5000).unref();
      await host.close();
      await core.close();
      process.exit(0);
    };
    process.once('SIGINT', () => void stop());
    process.once('SIGTERM', () => void stop());
    return -1; // keep running
  },
});
